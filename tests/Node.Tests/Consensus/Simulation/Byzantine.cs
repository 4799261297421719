using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.Core;
using P2PEnergy.Node.Consensus.Driver;

namespace P2PEnergy.Node.Tests.Consensus.Simulation;

/// <summary>
/// A Byzantine validator: an honest driver underneath (so it knows its round and lock), whose traffic this rewrites
/// with its own key, outside any double-sign guard.
/// </summary>
public abstract class Byzantine
{
    public static Byzantine For(Fault fault) => fault switch
    {
        Fault.Silent => new SilentValidator(),
        Fault.Equivocator => new EquivocatingValidator(),
        Fault.Amnesiac => new AmnesiacValidator(),
        Fault.Colluder => new CollidingValidator(),
        _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, null),
    };

    /// <summary>What the honest driver underneath wants to send (to one peer, or to all when <paramref name="to"/> is null).</summary>
    public abstract void Outgoing(SimNode self, ConsensusMessage message, int? to);

    /// <summary>A message arriving, before the driver sees it.</summary>
    public virtual void Incoming(SimNode self, ConsensusMessage message, int from) { }

    protected static void Send(SimNode self, ConsensusMessage message, int? to)
    {
        if (to is { } peer) self.Sim.Network.Send(self.Index, peer, message);
        else foreach (var peer2 in self.Sim.Peers(self.Index)) self.Sim.Network.Send(self.Index, peer2, message);
    }

    protected static ConsensusMessage SignedVote(SimNode self, ulong height, int round, VoteType type, Hash32 value)
    {
        var vote = new Vote(height, round, type, value, self.Address);
        var signature = self.Key.Sign(ConsensusCodec.Digest(vote, Simulation.ChainId));
        return new ConsensusMessage { Vote = ConsensusCodec.ToMessage(new SignedVote(vote, signature)) };
    }

    protected static ConsensusMessage SignedProposal(SimNode self, BlockProposal original, Block block)
    {
        var proposal = new Proposal(original.Height, (int)original.Round, BlockHeaderHashing.Hash(block.Header), (int)original.PolRound, self.Address);
        var signature = self.Key.Sign(ConsensusCodec.Digest(proposal, Simulation.ChainId));
        return new ConsensusMessage { Proposal = ConsensusCodec.ToMessage(new SignedProposal(proposal, signature), block) };
    }

    /// <summary>The peers split in two halves by index parity: equivocators show each half a different world.</summary>
    protected static (IReadOnlyList<int> A, IReadOnlyList<int> B) Halves(SimNode self)
    {
        var peers = self.Sim.Peers(self.Index).ToList();
        return (peers.Where((_, i) => i % 2 == 0).ToList(), peers.Where((_, i) => i % 2 == 1).ToList());
    }
}

/// <summary>Sends nothing.</summary>
public sealed class SilentValidator : Byzantine
{
    public override void Outgoing(SimNode self, ConsensusMessage message, int? to) { }
}

/// <summary>Every proposal and vote exists twice: the honest one for half the peers, a conflicting one for the rest.</summary>
public sealed class EquivocatingValidator : Byzantine
{
    public override void Outgoing(SimNode self, ConsensusMessage message, int? to)
    {
        if (to is not null || message.BodyCase is not (ConsensusMessage.BodyOneofCase.Proposal or ConsensusMessage.BodyOneofCase.Vote)) { Send(self, message, to); return; }
        var (a, b) = Halves(self);
        ConsensusMessage other;
        if (message.BodyCase == ConsensusMessage.BodyOneofCase.Proposal)
            other = SignedProposal(self, message.Proposal.Proposal, self.App.BuildVariant(message.Proposal.Block));
        else
        {
            var v = message.Vote.Vote;
            var value = Hash32.FromBytes(v.BlockHash.Span);
            // The other vote: nil for a value, or a block nobody proposed for nil (both count towards "2f + 1 of anything").
            var conflicting = value == Vote.Nil ? Keccak256.Hash(v.ToByteArray()) : Vote.Nil;
            other = SignedVote(self, v.Height, (int)v.Round, v.VoteType, conflicting);
        }
        foreach (var peer in a) self.Sim.Network.Send(self.Index, peer, message);
        foreach (var peer in b) self.Sim.Network.Send(self.Index, peer, other);
    }
}

/// <summary>Votes for the round's proposal whatever it is locked on, and precommits it without waiting for a polka.</summary>
public sealed class AmnesiacValidator : Byzantine
{
    private readonly Dictionary<(ulong Height, int Round), Hash32> _proposed = [];

    public override void Incoming(SimNode self, ConsensusMessage message, int from)
    {
        if (message.BodyCase == ConsensusMessage.BodyOneofCase.Proposal)
            _proposed.TryAdd((message.Proposal.Proposal.Height, (int)message.Proposal.Proposal.Round), Hash32.FromBytes(message.Proposal.Proposal.BlockHash.Span));
    }

    public override void Outgoing(SimNode self, ConsensusMessage message, int? to)
    {
        if (message.BodyCase == ConsensusMessage.BodyOneofCase.Vote && _proposed.TryGetValue((message.Vote.Vote.Height, (int)message.Vote.Vote.Round), out var value)
            && Hash32.FromBytes(message.Vote.Vote.BlockHash.Span) != value)
        {
            var v = message.Vote.Vote;
            message = SignedVote(self, v.Height, (int)v.Round, v.VoteType, value);
        }
        Send(self, message, to);
    }
}

/// <summary>
/// Splits the honest nodes: proposes a different block to each half, and answers every value an honest node proposes
/// or votes with a prevote and a precommit for that same value, to that node only. Colluders agree with everyone.
/// </summary>
public sealed class CollidingValidator : Byzantine
{
    private readonly HashSet<(int Node, ulong Height, int Round)> _answered = [];

    public override void Outgoing(SimNode self, ConsensusMessage message, int? to)
    {
        if (to is null && message.BodyCase == ConsensusMessage.BodyOneofCase.Proposal)
        {
            var (a, b) = Halves(self);
            var other = SignedProposal(self, message.Proposal.Proposal, self.App.BuildVariant(message.Proposal.Block));
            foreach (var peer in a) self.Sim.Network.Send(self.Index, peer, message);
            foreach (var peer in b) self.Sim.Network.Send(self.Index, peer, other);
            return;
        }
        if (message.BodyCase is ConsensusMessage.BodyOneofCase.Decision or ConsensusMessage.BodyOneofCase.Status) Send(self, message, to);
        // Its own honest votes stay home: each honest node hears only the votes made for it.
    }

    public override void Incoming(SimNode self, ConsensusMessage message, int from)
    {
        if (self.Sim.IsByzantine(from)) return;
        var envelope = new Envelope(from, self.Index, message);
        if (envelope.IsDecision || envelope.Value == Vote.Nil || !_answered.Add((from, envelope.Height, envelope.Round))) return;
        self.Sim.Network.Send(self.Index, from, SignedVote(self, envelope.Height, envelope.Round, VoteType.Prevote, envelope.Value));
        self.Sim.Network.Send(self.Index, from, SignedVote(self, envelope.Height, envelope.Round, VoteType.Precommit, envelope.Value));
    }
}
