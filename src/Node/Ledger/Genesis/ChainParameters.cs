using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Node.Ledger.Genesis;

/// <summary>Which DSO market model the chain runs (DESIGN.md vocabulary).</summary>
public enum DsoModel
{
    /// <summary>Model 5: the utility is the DMO, so it may not trade.</summary>
    UtilityDmo,
    /// <summary>Model 6: an independent DMO; the utility trades only when <see cref="ChainParameters.UtilityMayTrade"/>.</summary>
    IndependentDmo,
}

/// <summary>A validator of the chain: its address, voting power and peer endpoint, and who runs it.</summary>
public sealed record ValidatorInfo(Address Address, long Power, string Endpoint)
{
    /// <summary>Most validators a set may hold: every vote is checked by every node, and commits carry 2/3 of them.</summary>
    public const int MaxValidators = 100;
    /// <summary>Largest total voting power (CometBFT's bound, int64 max / 8): proposer priorities never overflow.</summary>
    public const long MaxTotalPower = long.MaxValue / 8;

    /// <summary>The organisation that runs the validator; empty when not named.</summary>
    public string Operator { get; init; } = "";
    /// <summary>What the operator is to the market; empty when not named.</summary>
    public string Role { get; init; } = "";
}

/// <summary>The fixed parameters of a chain, from its genesis document; every node must agree on them.</summary>
public sealed record ChainParameters
{
    public required ulong ChainId { get; init; }
    public required string MarketName { get; init; }
    public required string Currency { get; init; }
    public required int CurrencyDecimals { get; init; }
    public required ulong IntervalSeconds { get; init; }
    public required ulong GateClosureSeconds { get; init; }
    public required ulong ReadingWindowSeconds { get; init; }
    public required DsoModel DsoModel { get; init; }
    public required bool UtilityMayTrade { get; init; }
    public required Address Utility { get; init; }
    public required Address MarketOperator { get; init; }
    public required Address Planner { get; init; }
    public required Address Regulator { get; init; }
    public required IReadOnlyList<ValidatorInfo> Validators { get; init; }
    /// <summary>Longest contract or offer, in intervals.</summary>
    public required uint MaxIntervalCount { get; init; }
    /// <summary>How far after block time a contract or offer may start (START_TOO_FAR beyond); 400 days unless genesis says.</summary>
    public ulong MaxStartAheadSeconds { get; init; } = GenesisDocument.DefaultMaxStartAheadSeconds;
    /// <summary>Unix milliseconds of the genesis; the first block's time must be later.</summary>
    public required long GenesisTimeMs { get; init; }
    /// <summary>
    /// Every this many blocks the validators attest the state root (AttestStateRoot), so a snapshot of the state at such a
    /// height can be certified and imported (docs/operator.md "Snapshots"); 0 turns snapshots off.
    /// </summary>
    public ulong SnapshotIntervalBlocks { get; init; } = GenesisDocument.DefaultSnapshotIntervalBlocks;
    /// <summary>Who may sign SetValidatorSet (genesis validatorAuthority, default the utility); the zero address when unset, so no one can.</summary>
    public Address ValidatorAuthority { get; init; } = Address.Zero;

    /// <summary>
    /// Most settlement steps one block runs (a contract instalment, a meter's imbalance, a participant's fee, a
    /// receivable, a skip over idle intervals): the bound that keeps every block's execution short however much is due
    /// (docs/settlement.md). Genesis sets it (settlementStepsPerBlock, 100–1,000,000), so every node shares it; tests and
    /// benchmarks lower it further to split settlement.
    /// </summary>
    public int SettlementStepsPerBlock { get; init; } = DefaultSettlementStepsPerBlock;

    /// <summary>The default of <see cref="SettlementStepsPerBlock"/>: ≤ 250 ms per block in the 100,000-meter benchmark.</summary>
    public const int DefaultSettlementStepsPerBlock = 4_000;
}
