namespace P2PEnergy.Wallet.Devnet;

/// <summary>What <c>p2pe devnet init</c> generates: size, DSO model and timing of the chain.</summary>
public sealed record DevnetOptions
{
    /// <summary>The devnet directory: wallet/ (P2PE_HOME), nodes/NAME (data dirs), genesis.json, grid-model.json, devnet.json.</summary>
    public required string Directory { get; init; }
    /// <summary>Validators with equal power, 1…<see cref="DevnetNode.MaxValidators"/>: a node process each (nodes/NAME).</summary>
    public int Validators { get; init; } = 4;
    /// <summary>Also an observer node (nodes/observer) that follows the chain without voting.</summary>
    public bool Observer { get; init; } = true;
    public int Participants { get; init; } = 20;
    /// <summary><c>UtilityDmo</c> (Model 5: the utility is the market operator) or <c>IndependentDmo</c> (Model 6).</summary>
    public string DsoModel { get; init; } = "IndependentDmo";
    public int IntervalSeconds { get; init; } = 60;
    public int GateClosureSeconds { get; init; } = 10;
    /// <summary>Reading window, s; null = max(120, 2 × interval), room for agents started on a busy machine.</summary>
    public int? ReadingWindowSeconds { get; init; }
    public ulong ChainId { get; init; } = 31337;
    /// <summary>Micro-units each participant holds at genesis.</summary>
    public ulong Deposit { get; init; } = 100_000_000;
    /// <summary>
    /// The node's entry assembly (p2pe-node.dll) to run <c>init</c> with for every node; null only writes the files and
    /// the validator keys, leaving <c>p2pe-node init</c> to the caller.
    /// </summary>
    public string? NodeDll { get; init; }
}
