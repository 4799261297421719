using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.Kernel;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Node.Tests.Ledger;

/// <summary>
/// A chain in memory: a genesis with known keys, real EIP-712 signatures, blocks executed by the real
/// <see cref="BlockExecutor"/>, and the money-conservation check of DESIGN.md rule 5 after every block.
/// </summary>
public sealed class LedgerHarness
{
    public const ulong ChainId = 4242;
    public const ulong Interval = 900;
    public static readonly DateTimeOffset Genesis = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);

    public static PrivateKey Key(int seed) => new(Keccak256.Hash(System.Text.Encoding.ASCII.GetBytes($"p2pe-test-{seed}")).Bytes);

    public readonly PrivateKey Utility = Key(1), Operator = Key(2), Planner = Key(3), Regulator = Key(4), Validator = Key(5);
    public readonly PrivateKey Alice = Key(10), Bob = Key(11), Carol = Key(12), Aggregator = Key(13), Stranger = Key(99);
    public readonly PrivateKey AliceDevice = Key(20), BobDevice = Key(21);

    public MemoryState State { get; } = new();
    public Hash32 AppHash { get; private set; }
    public ulong Height { get; private set; }
    public long TimeMs { get; private set; }
    public BlockExecutor Executor { get; }
    public ChainParameters Parameters { get; }
    public List<(ulong Height, long TimeMs, List<byte[]> Transactions, Hash32 AppHash)> Blocks { get; } = [];
    /// <summary>Each block's transaction results, beside <see cref="Blocks"/>.</summary>
    public List<IReadOnlyList<TransactionResult>> BlockResults { get; } = [];
    public Int128 ExternalFunds { get; private set; }
    /// <summary>The genesis this chain started from (for node-level tests that initialise a store).</summary>
    public GenesisDocument Document { get; }

    // grid: the grid stage, the unmodelled one unless a test exercises the flow book; configure edits the genesis
    // before it is built (e.g. to name a grid model file); gridModel is that file's bytes.
    // settlementSteps: the chain's settlement step budget per block (default: the protocol's), lowered to split settlement.
    public LedgerHarness(string dsoModel = "IndependentDmo", bool utilityMayTrade = false, IGridAdmission? grid = null,
        Action<GenesisDocument>? configure = null, byte[]? gridModel = null, int? settlementSteps = null)
    {
        var genesis = new GenesisDocument
        {
            ChainId = ChainId, MarketName = "Test market", GenesisTime = Genesis.ToString("O"), IntervalSeconds = Interval,
            GateClosureSeconds = 300, ReadingWindowSeconds = 3600, DsoModel = dsoModel, UtilityMayTrade = utilityMayTrade,
            Utility = Utility.Address.ToString(), MarketOperator = Operator.Address.ToString(),
            Planner = Planner.Address.ToString(), Regulator = Regulator.Address.ToString(),
            Validators = [new GenesisValidator { Address = Validator.Address.ToString(), Endpoint = "http://127.0.0.1:1" }],
            Fees = new GenesisFees { DmoFixedPerContract = 1_000, DmoPerKwh = 2_000, DmoBuyerSharePermille = 500, GridAcrossSubstationsPerKwh = 10_000 },
            Participants =
            [
                new() { Address = Alice.Address.ToString(), Role = "Prosumer", Name = "Alice", Deposit = 10_000_000 },
                new() { Address = Bob.Address.ToString(), Role = "Consumer", Name = "Bob", Deposit = 10_000_000 },
                new() { Address = Aggregator.Address.ToString(), Role = "Aggregator", Name = "Agg", Deposit = 0 },
            ],
            Meters =
            [
                new() { Meter = "MTR-A", Owner = Alice.Address.ToString(), GridNode = "SP1", Device = AliceDevice.Address.ToString(), ImportLimitW = 10_000, ExportLimitW = 10_000 },
                new() { Meter = "MTR-B", Owner = Bob.Address.ToString(), GridNode = "SP2", Device = BobDevice.Address.ToString(), ImportLimitW = 10_000, ExportLimitW = 10_000 },
            ],
        };
        configure?.Invoke(genesis);
        Document = genesis;
        // Below genesis's lower bound on purpose: tests split settlement into steps of 1, 2, 40.
        Parameters = settlementSteps is { } steps ? genesis.ToParameters() with { SettlementStepsPerBlock = steps } : genesis.ToParameters();
        var (changes, appHash) = GenesisState.Build(genesis, gridModel);
        State.Apply(changes);
        AppHash = appHash;
        TimeMs = Parameters.GenesisTimeMs;
        ExternalFunds = genesis.Participants.Aggregate(Int128.Zero, (sum, p) => sum + p.Deposit);
        Executor = new BlockExecutor(Parameters, new TransactionVerifier(ChainId, Secp256k1.Default), grid ?? new UnmodelledGrid());
    }

    public ulong NowSeconds => (ulong)(TimeMs / 1000);

    /// <summary>The start of the interval <paramref name="ahead"/> intervals after the current one.</summary>
    public ulong IntervalAhead(int ahead) => (NowSeconds / Interval + (ulong)ahead) * Interval;

    public static Transaction Envelope(IMessage body, params PrivateKey[] signers) => Envelope(body, ChainId, signers);

    public static Transaction Envelope(IMessage body, ulong chainId, params PrivateKey[] signers)
    {
        var tx = new Transaction { ChainId = chainId };
        tx.GetType().GetProperties().Single(p => p.PropertyType == body.GetType()).SetValue(tx, body);
        var digest = LedgerTypedData.Digest(body, chainId);
        foreach (var signer in signers) tx.Signatures.Add(ByteString.CopyFrom(signer.Sign(digest).Bytes));
        return tx;
    }

    /// <summary>Executes one block at <paramref name="advanceSeconds"/> after the last; returns its results.</summary>
    public IReadOnlyList<TransactionResult> Block(int advanceSeconds, params Transaction[] transactions)
    {
        var items = transactions.Select(t => (t.ToByteArray(), (VerifiedTransaction?)null)).ToList();
        long time = TimeMs + advanceSeconds * 1000L;
        var execution = Executor.Execute(State, AppHash, Height + 1, time, items);
        Adopt(Height + 1, time, items.Select(i => i.Item1).ToList(), execution);
        return execution.Results;
    }

    public TransactionResult One(Transaction transaction, int advanceSeconds = 1) => Block(advanceSeconds, transaction)[0];

    /// <summary>
    /// Commits a block another executor ran on this chain's state (a node with its own caches): applies and publishes
    /// it, records it like <see cref="Block"/>, and checks conservation — with the settlement invariants unless
    /// <paramref name="invariants"/> is false (hostile values that settlement saturates break their equalities).
    /// </summary>
    public void Adopt(ulong height, long timeMs, List<byte[]> transactions, BlockExecution execution, bool invariants = true)
    {
        Height = height;
        TimeMs = timeMs;
        State.Apply(execution.Changes);
        execution.Publish(); // the harness is a node whose every block commits
        AppHash = execution.AppHash;
        Blocks.Add((height, timeMs, transactions, AppHash));
        BlockResults.Add(execution.Results);
        foreach (var (r, bytes) in execution.Results.Zip(transactions))
        {
            if (r.Code != ReasonCodes.Ok) continue;
            var t = Transaction.Parser.ParseFrom(bytes);
            if (t.BodyCase == Transaction.BodyOneofCase.Deposit) ExternalFunds += t.Deposit.Amount;
            if (t.BodyCase == Transaction.BodyOneofCase.Withdraw) ExternalFunds -= t.Withdraw.Amount;
        }
        AssertFundsConserved(invariants);
    }

    public AccountState Account(PrivateKey key)
        => State.Get(StateKeys.Account(key.Address)) is { } b ? AccountState.Parser.ParseFrom(b) : throw new InvalidOperationException("no account");

    /// <summary>Σ(balance + escrow) over all accounts equals what entered minus what left (debt is owed, not held).</summary>
    public void AssertFundsConserved(bool invariants = true)
    {
        Int128 held = 0;
        foreach (var (_, value) in State.Scan(StateKeys.AccountPrefix))
        {
            var a = AccountState.Parser.ParseFrom(value);
            held += (Int128)a.Balance + a.Escrow;
        }
        Assert.Equal(ExternalFunds, held);
        if (invariants) Settlement.SettlementInvariants.Assert(State, Parameters.IntervalSeconds);
    }

    public EnergyContract Contract(PrivateKey seller, PrivateKey buyer, ulong? start = null, ulong wh = 2_000, ulong price = 200_000, ulong nonce = 1, uint count = 2) => new()
    {
        Seller = ByteString.CopyFrom(seller.Address.Bytes), Buyer = ByteString.CopyFrom(buyer.Address.Bytes),
        SellerMeter = seller == Alice ? "MTR-A" : "MTR-B", BuyerMeter = buyer == Bob ? "MTR-B" : "MTR-A",
        IntervalStart = start ?? IntervalAhead(2), IntervalCount = count, WhPerInterval = wh, PricePerKwh = price,
        Nonce = nonce, ValidUntil = NowSeconds + 3600,
    };
}
