using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.Core;
using Timeout = P2PEnergy.Node.Consensus.Core.Timeout;

namespace P2PEnergy.Node.Tests.Consensus.Core;

/// <summary>
/// One state machine among four validators (equal power unless given), fed inputs by hand. Signatures are placeholders:
/// the core never checks them (the host does), it only carries them into commits and evidence.
/// </summary>
public sealed class CoreHarness
{
    public static readonly Address[] Validators = Enumerable.Range(1, 7).Select(i => Address.FromBytes(Enumerable.Repeat((byte)(i * 16), 20).ToArray())).ToArray();
    public static readonly Hash32 V = Keccak256.Hash("block v"u8);
    public static readonly Hash32 W = Keccak256.Hash("block w"u8);
    private static readonly Signature Placeholder = Signature.FromBytes([.. new byte[31], 1, .. new byte[31], 1, 27]);

    public CoreHarness(long[]? powers = null, int? self = null, ulong height = 1)
    {
        powers ??= [1, 1, 1, 1];
        Set = ValidatorSet.Create(powers.Select((p, i) => (Validators[i], p)));
        var rotation = new ProposerRotation(Set);
        // By default this node proposes none of the first rounds the tests use, so no BuildValue gets in the way.
        SelfIndex = self ?? Enumerable.Range(0, powers.Length).First(i => Enumerable.Range(0, 3).All(r => rotation.At(r) != Validators[i]));
        Core = new Tendermint(Validators[SelfIndex]);
        Height = height;
        Started = Core.Apply(new BlockCommitted(height - 1, Set));
    }

    public Tendermint Core { get; }
    public ValidatorSet Set { get; }
    public int SelfIndex { get; }
    public Address Self => Validators[SelfIndex];
    public ulong Height { get; }
    /// <summary>What starting height 1 (round 0) produced.</summary>
    public IReadOnlyList<ConsensusEffect> Started { get; }

    public IReadOnlyList<ConsensusEffect> Proposal(int round, Hash32 value, int polRound = -1, bool timely = true, Address? from = null)
        => Core.Apply(new ProposalReceived(new SignedProposal(new Proposal(Height, round, value, polRound, from ?? Core.ProposerOf(round)), Placeholder), timely));

    public IReadOnlyList<ConsensusEffect> Executed(Hash32 value, bool valid = true) => Core.Apply(new ProposalExecuted(Height, value, valid, Hash32.Zero));

    public IReadOnlyList<ConsensusEffect> Vote(int validator, int round, VoteType type, Hash32 value)
        => Core.Apply(new VoteReceived(Signed(validator, round, type, value)));

    /// <summary>Votes of the given validators (other than this node), effects of all.</summary>
    public IReadOnlyList<ConsensusEffect> Votes(IEnumerable<int> validators, int round, VoteType type, Hash32 value)
        => validators.SelectMany(i => Vote(i, round, type, value)).ToList();

    public IReadOnlyList<ConsensusEffect> Timeout(int round, Step step) => Core.Apply(new TimeoutFired(new Timeout(Height, round, step)));

    public SignedVote Signed(int validator, int round, VoteType type, Hash32 value) => new(new Vote(Height, round, type, value, Validators[validator]), Placeholder);

    /// <summary>Feeds this node's own votes among <paramref name="effects"/> back to it, as the driver does once they are signed.</summary>
    public IReadOnlyList<ConsensusEffect> Loopback(IReadOnlyList<ConsensusEffect> effects)
        => effects.OfType<SignVote>().SelectMany(s => Core.Apply(new VoteReceived(new SignedVote(s.Vote, Placeholder)))).ToList();

    /// <summary>The other validators' indexes.</summary>
    public IEnumerable<int> Others => Enumerable.Range(0, Set.Count).Where(i => i != SelfIndex);

    /// <summary>The vote this node asked to sign among <paramref name="effects"/>, if any.</summary>
    public static Vote? CastVote(IReadOnlyList<ConsensusEffect> effects, VoteType type)
        => effects.OfType<SignVote>().Select(s => s.Vote).SingleOrDefault(v => v.Type == type);

    public static TimeSpan? Scheduled(IReadOnlyList<ConsensusEffect> effects, Step step)
        => effects.OfType<ScheduleTimeout>().SingleOrDefault(s => s.Timeout.Step == step)?.After;
}
