using System.Text.Json;
using System.Text.Json.Nodes;
using P2PEnergy.Wallet.Cli;
using P2PEnergy.Wallet.Keys;
using P2PEnergy.Wallet.Failures;

namespace P2PEnergy.Wallet.Device;

/// <summary>
/// The agent's resume point, <c>$P2PE_HOME/device/&lt;meter&gt;.json</c>: the last interval it executed and reported.
/// A restarted agent asks the node to replay from the interval after it, so no interval is executed twice and none
/// the node still serves is skipped. Written atomically after each interval.
/// </summary>
public sealed class DeviceCursor(string home, string meter)
{
    public string Meter { get; } = meter;

    public string FilePath { get; } = Path.Combine(home, "device", SafeFileName(meter) + ".json");

    /// <summary>The last interval start handled, or null when this meter has never run here.</summary>
    public ulong? LastInterval()
    {
        if (!File.Exists(FilePath)) return null;
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(FilePath));
            return (ulong?)node?["lastInterval"] ?? throw new FormatException("no lastInterval");
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new WalletException(ExitCode.Storage, "CORRUPT_CURSOR", $"{FilePath} is corrupt: {e.Message.Split('\n')[0]}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WalletException(ExitCode.Storage, "STORAGE_ERROR", $"cannot read {FilePath}: {e.Message}");
        }
    }

    /// <summary>The state of charge saved with the last interval (storage drivers), so a restart does not invent energy.</summary>
    public double? StateOfCharge()
    {
        if (!File.Exists(FilePath)) return null;
        try { return (double?)JsonNode.Parse(File.ReadAllText(FilePath))?["stateOfCharge"]; }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new WalletException(ExitCode.Storage, "CORRUPT_CURSOR", $"{FilePath} is corrupt: {e.Message.Split('\n')[0]}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WalletException(ExitCode.Storage, "STORAGE_ERROR", $"cannot read {FilePath}: {e.Message}");
        }
    }

    /// <summary>The interval to ask the node for: the one after the last handled, or 0 (the node's latest) on first run.</summary>
    public ulong ResumeFrom(ulong intervalSeconds) => LastInterval() is { } last ? last + intervalSeconds : 0;

    /// <summary>Records <paramref name="intervalStart"/> as handled, with the device's state of charge after it, if it stores energy.</summary>
    public void Save(ulong intervalStart, double? stateOfCharge = null)
    {
        try
        {
            AtomicFile.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            var node = new JsonObject { ["meter"] = Meter, ["lastInterval"] = intervalStart };
            if (stateOfCharge is { } soc) node["stateOfCharge"] = soc;
            var json = node.ToJsonString();
            AtomicFile.Write(FilePath, json + "\n", overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WalletException(ExitCode.Storage, "STORAGE_ERROR", $"cannot write {FilePath}: {e.Message}");
        }
    }

    // Meter ids are operator-chosen strings; keep the file inside the device folder whatever they contain.
    internal static string SafeFileName(string meter)
        => string.Concat(meter.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_')).TrimStart('.') is { Length: > 0 } s ? s : "_";
}
