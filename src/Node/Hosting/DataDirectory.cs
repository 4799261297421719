using P2PEnergy.Node.Ledger.Genesis;

namespace P2PEnergy.Node.Hosting;

/// <summary>The files of a node's data directory and how the validator password is found.</summary>
public sealed class DataDirectory(string path)
{
    public const string PasswordVariable = "P2PE_NODE_PASSWORD";

    public string Path { get; } = System.IO.Path.GetFullPath(path);
    public string GenesisFile => System.IO.Path.Combine(Path, "genesis.json");
    public string ValidatorKeyFile => System.IO.Path.Combine(Path, "validator.json");
    public string LedgerFile => System.IO.Path.Combine(Path, "ledger.db");
    /// <summary>The node's peer identity (<see cref="NodeKey"/>), apart from the validator key.</summary>
    public string NodeKeyFile => System.IO.Path.Combine(Path, "node-key.json");
    /// <summary>The node's settings file (<see cref="NodeConfiguration"/>), written commented by init.</summary>
    public string SettingsFile => System.IO.Path.Combine(Path, NodeConfiguration.FileName);
    /// <summary>The consensus write-ahead log and the last-signed guard (docs/consensus.md, "WAL").</summary>
    public string ConsensusDirectory => System.IO.Path.Combine(Path, "consensus");
    /// <summary>The genesis grid model, copied in at init when genesis names one.</summary>
    public string GridModelFile => System.IO.Path.Combine(Path, "grid-model.json");

    /// <summary>The genesis grid model's bytes, or null when genesis names none.</summary>
    public byte[]? ReadGridModel(GenesisDocument genesis)
        => genesis.GridModelFile is null ? null
            : File.Exists(GridModelFile) ? File.ReadAllBytes(GridModelFile) : throw new NodeSetupException($"{GridModelFile} is missing: genesis names a grid model");

    /// <summary>The genesis copied in at init, parsed and validated.</summary>
    public GenesisDocument ReadGenesis()
        => File.Exists(GenesisFile) ? GenesisDocument.Parse(File.ReadAllText(GenesisFile)) : throw new NodeSetupException($"{GenesisFile} is missing: run p2pe-node init first");

    /// <summary>The password from <paramref name="passwordFile"/> (first line) or else the P2PE_NODE_PASSWORD variable.</summary>
    public static string ReadPassword(string? passwordFile)
    {
        if (passwordFile is not null)
        {
            if (!File.Exists(passwordFile)) throw new NodeSetupException($"password file {passwordFile} does not exist");
            return File.ReadAllLines(passwordFile).FirstOrDefault() ?? "";
        }
        return Environment.GetEnvironmentVariable(PasswordVariable) is { Length: > 0 } password
            ? password
            : throw new NodeSetupException($"no validator password: pass --password-file or set {PasswordVariable}");
    }
}

/// <summary>A node cannot be set up or started as asked; the message says what to fix.</summary>
public sealed class NodeSetupException(string message) : Exception(message);
