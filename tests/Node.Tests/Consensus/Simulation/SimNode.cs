using Microsoft.Extensions.Logging;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.Core;
using P2PEnergy.Node.Consensus.Driver;
using P2PEnergy.Node.Consensus.Wal;
using Timeout = P2PEnergy.Node.Consensus.Core.Timeout;

namespace P2PEnergy.Node.Tests.Consensus.Simulation;

/// <summary>
/// One simulated process: the production <see cref="TendermintDriver"/> over the simulated network, a virtual clock and
/// an in-memory WAL directory. Its application and its WAL directory are its disk and survive crashes; the driver is its
/// memory and does not.
/// </summary>
public sealed class SimNode : IConsensusNetwork
{
    private readonly SimRandom _random;

    public SimNode(Simulation sim, int index, PrivateKey key, SimApplication app, SimRandom random, Byzantine? byzantine)
    {
        Sim = sim;
        Index = index;
        Key = key;
        App = app;
        _random = random;
        Behaviour = byzantine;
        app.InvalidCommit = (height, reason) => sim.Checker.InvalidCommit(index, height, reason);
    }

    public Simulation Sim { get; }
    public int Index { get; }
    public PrivateKey Key { get; }
    public Address Address => Key.Address;
    public SimApplication App { get; }
    public MemoryWalStorage Storage { get; } = new();
    public Byzantine? Behaviour { get; }
    public TendermintDriver? Driver { get; private set; }
    public bool Up => Driver is not null;

    /// <summary>When set, a crash at a write point is followed by a restart this many milliseconds later.</summary>
    public long? RestartAfterWriteCrashMs { get; set; }

    /// <summary>When set, the node's outgoing messages are lost (a process about to die).</summary>
    public bool Muted { get; set; }

    public int Crashes { get; private set; }
    public List<string> WalWarnings { get; } = [];
    /// <summary>Every timeout the node scheduled, in order.</summary>
    public List<(Timeout Timeout, TimeSpan After)> Timeouts { get; } = [];
    /// <summary>Every (height, round, value) this node locked on, in order.</summary>
    public List<(ulong Height, int Round, Hash32 Value)> Locks { get; } = [];
    /// <summary>Heights at which this node signed a prevote or precommit.</summary>
    public HashSet<ulong> SignedVoteHeights { get; } = [];
    /// <summary>Height → round in which this node decided it.</summary>
    public Dictionary<ulong, int> DecisionRounds { get; } = [];
    /// <summary>Hooks the scenario builder attaches (crash on a height, crash while proposing).</summary>
    public Action<SimNode, Block>? OnCommitted { get; set; }
    public Func<SimNode, ConsensusMessage, int?, bool>? OnOutgoing { get; set; }

    public void Boot()
    {
        if (Up) return;
        var wal = new ConsensusWal(Storage, WalWarnings.Add);
        var timers = new TimeProviderTimers(Sim.Clock, action => Run(action));
        var logger = Sim.Logger(Index);
        Run(() =>
        {
            var guard = SignGuard.Load(Storage);
            var driver = new TendermintDriver(Sim.Options, App, this, timers, wal, guard, Key, Sim.Clock, logger, Sim.Recover);
            Driver = driver;
            driver.Committed += block =>
            {
                Sim.Checker.Committed(Index, block, App.AppHashAt(block.Header.Height), App.ValidatorsAt(block.Header.Height));
                DecisionRounds[block.Header.Height] = (int)block.Commit.Round;
                if (Sim.Tracing) Sim.Trace(Index, $"committed height {block.Header.Height} round {block.Commit.Round} {BlockHeaderHashing.Hash(block.Header).ToString()[..10]}");
                OnCommitted?.Invoke(this, block);
            };
            driver.Signed += message =>
            {
                if (Behaviour is null) Sim.Checker.Signed(Index, message);
                var e = new Envelope(Index, Index, message);
                if (!e.IsProposal) SignedVoteHeights.Add(e.Height);
                if (Sim.Tracing) Sim.Trace(Index, $"signs {(e.IsProposal ? "proposal" : e.IsPrevote ? "prevote" : "precommit")} {e.Height}/{e.Round} {(e.Value == Vote.Nil ? "nil" : e.Value.ToString()[..10])}{(e.IsProposal ? $" pol {message.Proposal.Proposal.PolRound}" : "")}");
            };
            driver.TimeoutScheduled += (timeout, after) => { Timeouts.Add((timeout, after)); if (Sim.Tracing) Sim.Trace(Index, $"schedules {timeout} in {after.TotalMilliseconds} ms"); };
            driver.EvidenceFound += evidence => Sim.Evidence.Add(evidence);
            driver.Start();
        });
    }

    /// <summary>The process dies: memory gone, unsynced writes lost or torn.</summary>
    public void Crash()
    {
        if (!Up) return;
        Driver!.Dispose();
        Driver = null;
        Muted = false;
        Crashes++;
        Storage.Crash(_random);
        Sim.Trace(Index, "crashed");
    }

    public void Deliver(ConsensusMessage message, int from)
    {
        if (!Up) return;
        Behaviour?.Incoming(this, message, from);
        var address = Sim.Nodes[from].Address;
        Run(() => Driver!.Receive(message, address));
    }

    public void Broadcast(ConsensusMessage message) => Outgoing(message, null);

    public void Send(Address peer, ConsensusMessage message) => Outgoing(message, Sim.IndexOf(peer));

    private void Outgoing(ConsensusMessage message, int? to)
    {
        if (Muted) return;
        if (OnOutgoing is not null && !OnOutgoing(this, message, to)) return;
        if (Behaviour is not null) { Behaviour.Outgoing(this, message, to); return; }
        if (to is { } peer) Sim.Network.Send(Index, peer, message);
        else foreach (var other in Sim.Peers(Index)) Sim.Network.Send(Index, other, message);
    }

    // Every entry into the driver: a write point told to crash throws, and the process dies right there.
    private void Run(Action action)
    {
        try { action(); }
        catch (SimulatedCrash crash)
        {
            Sim.Trace(Index, crash.Message);
            Crash();
            if (RestartAfterWriteCrashMs is { } delay) Sim.Scheduler.After(delay, Boot);
            return;
        }
        if (Driver is { } driver && driver.State.Started && driver.State.LockedRound >= 0
            && (Locks.Count == 0 || Locks[^1] != (driver.State.Height, driver.State.LockedRound, driver.State.LockedValue)))
            Locks.Add((driver.State.Height, driver.State.LockedRound, driver.State.LockedValue));
    }
}
