using System.Text.Json;

namespace P2PEnergy.Wallet.Devnet;

/// <summary>
/// <c>devnet.json</c>: what a generated devnet holds, read back by <c>devnet/up</c> (via <c>p2pe devnet show</c>),
/// <c>p2pe devnet status</c> and tests: key names, meters, timing and the genesis deposits.
/// </summary>
public sealed record DevnetManifest
{
    public const string FileName = "devnet.json";
    public const string PasswordFileName = "dev-password.txt";

    public required ulong ChainId { get; init; }
    public required string DsoModel { get; init; }
    public required int IntervalSeconds { get; init; }
    public required int GateClosureSeconds { get; init; }
    public required string WalletHome { get; init; }
    /// <summary>The first validator's data directory (the utility's node).</summary>
    public required string NodeDataDir { get; init; }
    /// <summary>Every node: the validators in genesis order, then the observer (when there is one).</summary>
    public List<DevnetNode> Nodes { get; init; } = [];
    public required string PasswordFile { get; init; }
    /// <summary>Key names of the authorities: utility, dmo, planner, regulator → address.</summary>
    public required Dictionary<string, string> Authorities { get; init; }
    public required List<DevnetParticipant> Participants { get; init; }
    /// <summary>Σ genesis deposits, micro-units: with later deposits, what balances and escrows must add up to.</summary>
    public required ulong GenesisDeposits { get; init; }

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public void Write(string directory) => File.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(this, Options));

    /// <summary>Reads <c>devnet.json</c> from <paramref name="directory"/>.</summary>
    public static DevnetManifest Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} is missing: generate a devnet with `p2pe devnet init --dir {directory}`", path);
        return JsonSerializer.Deserialize<DevnetManifest>(File.ReadAllText(path), Options) ?? throw new InvalidDataException($"{path} is empty");
    }
}
