using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Wallet.Failures;

namespace P2PEnergy.Wallet.Keys;

/// <summary>
/// The wallet's keys on disk: geth-named keystore files (<c>UTC--&lt;time&gt;--&lt;address&gt;</c>) in one folder, plus
/// <c>names.json</c> mapping each name to its address and file. The keystore files stay readable by geth as they are.
/// </summary>
public sealed partial class KeyRing(string directory, TimeProvider clock)
{
    /// <summary>The name index inside the keystore folder.</summary>
    public const string IndexFileName = "names.json";

    /// <summary>The keystore folder ($P2PE_HOME/keystore).</summary>
    public string Directory { get; } = directory;

    /// <summary>Every named key, ordered by name (ordinal).</summary>
    public IReadOnlyList<KeyEntry> List() => ReadIndex();

    /// <summary>The key named <paramref name="name"/>; UNKNOWN_KEY when there is none.</summary>
    public KeyEntry Get(string name)
        => ReadIndex().FirstOrDefault(e => e.Name == name)
           ?? throw new WalletException(ExitCode.UnknownKey, "UNKNOWN_KEY", $"no key named '{name}' in {Directory}");

    /// <summary>The full path of a key's keystore file.</summary>
    public string PathOf(KeyEntry entry) => Path.Combine(Directory, entry.FileName);

    /// <summary>
    /// Stores a keystore under a name: KEY_EXISTS when the name or the address is taken. The keystore file is
    /// written first and the index second, both atomically; if the index write fails the new file is removed again.
    /// </summary>
    public KeyEntry Add(string name, Address address, string keystoreJson)
    {
        var entries = EnsureAvailable(name, address);

        var entry = new KeyEntry(name, address, FileNameFor(address, clock.GetUtcNow()));
        Storage(() =>
        {
            AtomicFile.CreateDirectory(Directory);
            AtomicFile.Write(PathOf(entry), keystoreJson, overwrite: false);
            try { WriteIndex([.. entries, entry]); }
            catch { File.Delete(PathOf(entry)); throw; }
        });
        return entry;
    }

    /// <summary>
    /// Throws INVALID_NAME or KEY_EXISTS unless <paramref name="name"/> (and <paramref name="address"/>, when known)
    /// can be added; commands call it before the second-long scrypt so a taken name fails fast. Returns the index.
    /// </summary>
    public List<KeyEntry> EnsureAvailable(string name, Address? address)
    {
        ValidateName(name);
        var entries = ReadIndex();
        if (entries.FirstOrDefault(e => e.Name == name) is { } sameName)
            throw new WalletException(ExitCode.KeyExists, "KEY_EXISTS", $"a key named '{name}' already exists ({sameName.Address})");
        if (address is { } a && entries.FirstOrDefault(e => e.Address == a) is { } sameAddress)
            throw new WalletException(ExitCode.KeyExists, "KEY_EXISTS", $"the key for {a} already exists as '{sameAddress.Name}'");
        return entries;
    }

    /// <summary>The name a key gets when none is given: "key-" and the first 8 hex digits of its address.</summary>
    public static string DefaultName(Address address) => "key-" + address.ToLowerHex()[2..10];

    /// <summary>geth's keystore file name: <c>UTC--2016-03-22T12-57-55.920751759Z--&lt;40 lower hex&gt;</c> (colons become dashes).</summary>
    public static string FileNameFor(Address address, DateTimeOffset time)
        => "UTC--" + time.UtcDateTime.ToString("yyyy-MM-dd'T'HH-mm-ss.FFFFFFF'Z'", CultureInfo.InvariantCulture)
           + "--" + address.ToLowerHex()[2..];

    /// <summary>Names are 1-64 of [A-Za-z0-9._-], starting with a letter or digit, so they are safe in paths and shells.</summary>
    public static void ValidateName(string name)
    {
        if (!NamePattern().IsMatch(name))
            throw new WalletException(ExitCode.BadInput, "INVALID_NAME",
                $"invalid key name '{name}': use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();

    private string IndexPath => Path.Combine(Directory, IndexFileName);

    private List<KeyEntry> ReadIndex()
    {
        if (!File.Exists(IndexPath)) return [];
        var text = Storage(() => File.ReadAllText(IndexPath));
        try
        {
            var keys = JsonNode.Parse(text)?["keys"]?.AsArray() ?? throw new FormatException("no \"keys\" array");
            return keys.Select(k => new KeyEntry(
                    (string?)k?["name"] ?? throw new FormatException("an entry has no name"),
                    Address.Parse((string?)k!["address"] ?? throw new FormatException("an entry has no address")),
                    (string?)k!["file"] ?? throw new FormatException("an entry has no file")))
                .OrderBy(e => e.Name, StringComparer.Ordinal)
                .ToList();
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new WalletException(ExitCode.Storage, "CORRUPT_INDEX", $"{IndexPath} is corrupt: {e.Message.Split('\n')[0]}");
        }
    }

    private void WriteIndex(IEnumerable<KeyEntry> entries)
    {
        var keys = new JsonArray();
        foreach (var e in entries.OrderBy(e => e.Name, StringComparer.Ordinal))
            keys.Add(new JsonObject { ["name"] = e.Name, ["address"] = e.Address.ToString(), ["file"] = e.FileName });
        var json = new JsonObject { ["keys"] = keys }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        AtomicFile.Write(IndexPath, json + "\n", overwrite: true);
    }

    private T Storage<T>(Func<T> action)
    {
        try { return action(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new WalletException(ExitCode.Storage, "STORAGE_ERROR", $"key ring {Directory}: {e.Message}"); }
    }

    private void Storage(Action action) => Storage(() => { action(); return 0; });
}
