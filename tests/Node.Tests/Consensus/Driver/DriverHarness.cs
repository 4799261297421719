using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.Core;
using P2PEnergy.Node.Consensus.Driver;
using P2PEnergy.Node.Consensus.Wal;
using P2PEnergy.Node.Tests.Consensus.Simulation;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Consensus.Driver;

/// <summary>
/// One driver among four validators (the simulation's keys), with a hand-driven network and hand-fired timers: the test
/// plays the other three validators.
/// </summary>
public sealed class DriverHarness : IConsensusNetwork, IConsensusTimers
{
    public const ulong ChainId = Simulation.Simulation.ChainId;
    /// <summary>An interval no timeout has, so the gossip timer can be told apart.</summary>
    public static readonly TimeSpan GossipInterval = TimeSpan.FromMilliseconds(1234);

    /// <summary>
    /// Validator <paramref name="self"/>, or an observer (no key, no guard) when <paramref name="observer"/>; with block
    /// pacing when <paramref name="heartbeat"/> is set.
    /// </summary>
    public DriverHarness(int self = 0, MemoryWalStorage? storage = null, SimApplication? app = null, bool observer = false, TimeSpan? heartbeat = null)
    {
        Self = self;
        Set = ValidatorSet.Create(Enumerable.Range(0, 4).Select(i => (Simulation.Simulation.AddressOf(i), 1L)));
        Storage = storage ?? new MemoryWalStorage();
        App = app ?? new SimApplication(ChainId, Simulation.Simulation.GenesisTimeMs, Set, new SimRandom(7), invalidPermille: 0);
        Clock = new ManualClock(DateTimeOffset.FromUnixTimeMilliseconds(Simulation.Simulation.GenesisTimeMs + 10_000));
        Driver = new TendermintDriver(new DriverOptions(ChainId, gossipInterval: GossipInterval, heartbeat: heartbeat), App, this, this, new ConsensusWal(Storage, Warnings.Add),
            observer ? null : SignGuard.Load(Storage), observer ? null : Simulation.Simulation.KeyOf(self), Clock, Log);
    }

    public int Self { get; }
    public ValidatorSet Set { get; }
    public MemoryWalStorage Storage { get; }
    public SimApplication App { get; }
    public ManualClock Clock { get; }
    public TendermintDriver Driver { get; }
    public List<string> Warnings { get; } = [];

    /// <summary>What the driver logged at warning level or above.</summary>
    public LoggedWarnings Log { get; } = new();
    public List<(Address? To, ConsensusMessage Message)> Sent { get; } = [];
    public List<(TimeSpan After, Action Fire)> Timers { get; } = [];

    public static PrivateKey Key(int node) => Simulation.Simulation.KeyOf(node);

    public void Broadcast(ConsensusMessage message) => Sent.Add((null, message));

    public void Send(Address peer, ConsensusMessage message) => Sent.Add((peer, message));

    public IDisposable Schedule(TimeSpan after, Action fire)
    {
        Timers.Add((after, fire));
        return new Cancel();
    }

    /// <summary>Fires the gossip tick (the timer scheduled at the gossip interval most recently).</summary>
    public void Gossip() => Timers.Last(t => t.After == GossipInterval).Fire();

    public ConsensusMessage Vote(int validator, ulong height, int round, VoteType type, Hash32 value)
    {
        var vote = new Vote(height, round, type, value, Simulation.Simulation.AddressOf(validator));
        return new ConsensusMessage { Vote = ConsensusCodec.ToMessage(new SignedVote(vote, Key(validator).Sign(ConsensusCodec.Digest(vote, ChainId)))) };
    }

    public ConsensusMessage Proposal(int proposer, Block block, int round, int polRound = -1)
    {
        var proposal = new Proposal(block.Header.Height, round, P2PEnergy.Contracts.Ledger.BlockHeaderHashing.Hash(block.Header), polRound, Simulation.Simulation.AddressOf(proposer));
        return new ConsensusMessage { Proposal = ConsensusCodec.ToMessage(new SignedProposal(proposal, Key(proposer).Sign(ConsensusCodec.Digest(proposal, ChainId))), block) };
    }

    /// <summary>Block <paramref name="block"/> with a commit of round 0 precommitted by <paramref name="signers"/>: what a peer that decided it sends.</summary>
    public static ConsensusMessage Decision(Block block, IEnumerable<int> signers)
    {
        var value = P2PEnergy.Contracts.Ledger.BlockHeaderHashing.Hash(block.Header);
        var precommits = signers.Select(i => (Signer: i, Vote: new Vote(block.Header.Height, 0, VoteType.Precommit, value, Simulation.Simulation.AddressOf(i))))
            .Select(s => new SignedVote(s.Vote, Key(s.Signer).Sign(ConsensusCodec.Digest(s.Vote, ChainId))));
        var decided = block.Clone();
        decided.Commit = ConsensusCodec.ToCommit(block.Header.Height, 0, value, precommits);
        return new ConsensusMessage { Decision = decided };
    }

    public void Receive(ConsensusMessage message, int from) => Driver.Receive(message, Simulation.Simulation.AddressOf(from));

    public int ProposerIndex(int round) => Enumerable.Range(0, 4).Single(i => Simulation.Simulation.AddressOf(i) == Driver.State.ProposerOf(round));

    /// <summary>The votes this node signed, in order.</summary>
    public IEnumerable<Vote> OwnVotes => Sent.Where(s => s.To is null && s.Message.BodyCase == ConsensusMessage.BodyOneofCase.Vote
        && s.Message.Vote.Validator.Span.SequenceEqual(Simulation.Simulation.AddressOf(Self).Bytes))
        .Select(s => ConsensusCodec.ReadVote(s.Message.Vote, ChainId, recover: null).Vote);

    private sealed class Cancel : IDisposable
    {
        public void Dispose() { }
    }
}

/// <summary>A logger that keeps warnings and worse (the driver's diagnosis of a lost round).</summary>
public sealed class LoggedWarnings : Microsoft.Extensions.Logging.ILogger
{
    public List<string> All { get; } = [];
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => logLevel >= Microsoft.Extensions.Logging.LogLevel.Warning;
    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel)) All.Add(formatter(state, exception));
    }
}
