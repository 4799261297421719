using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.Core;
using P2PEnergy.Node.Consensus.Driver;
using P2PEnergy.Node.Consensus.Wal;
using P2PEnergy.Node.Tests.Consensus.Simulation;

namespace P2PEnergy.Node.Tests.Consensus.Driver;

/// <summary>The driver between the machine and the world: persist before send, restart by replay, what it keeps and relays.</summary>
public sealed class TendermintDriverTests
{
    private static Hash32 HashOf(Block block) => BlockHeaderHashing.Hash(block.Header);

    /// <summary>A non-proposer of round 0 that received the round's proposal and prevoted it.</summary>
    private static (DriverHarness Harness, Block Block) Prevoted()
    {
        var h = new DriverHarness(self: 1);
        h.Driver.Start();
        int proposer = h.ProposerIndex(0);
        Assert.NotEqual(h.Self, proposer);
        var block = h.App.BuildProposal(1, Simulation.Simulation.GenesisTimeMs + 10_000, Simulation.Simulation.AddressOf(proposer));
        h.Receive(h.Proposal(proposer, block, 0), proposer);
        Assert.Equal(HashOf(block), Assert.Single(h.OwnVotes).Value);
        return (h, block);
    }

    [Fact]
    public void OwnVote_IsSyncedAndGuardedBeforeItLeaves()
    {
        var (h, block) = Prevoted();
        var guard = SignGuard.Load(h.Storage).Last!;
        Assert.Equal((1UL, 0, Step.Prevote), (guard.Height, guard.Round, guard.Step));
        h.Storage.Crash(new SimRandom(1)); // whatever was not synced is gone
        var records = new ConsensusWal(h.Storage, _ => { }).Read(1);
        Assert.Contains(records, r => r.OwnVote is { } v && v.Vote.BlockHash.Span.SequenceEqual(HashOf(block).Bytes));
    }

    [Fact]
    public void Restart_ReplaysTheLog_ToTheSameState_WithoutSigningAgain()
    {
        var (h, block) = Prevoted();
        h.Driver.Dispose();
        var restarted = new DriverHarness(self: 1, storage: h.Storage, app: h.App);
        restarted.Driver.Start();
        Assert.Equal((1UL, 0, Step.Prevote), (restarted.Driver.State.Height, restarted.Driver.State.Round, restarted.Driver.State.Step));
        Assert.Equal(HashOf(block), restarted.Driver.State.Votes.Of(0, VoteType.Prevote).Of(Simulation.Simulation.AddressOf(1))!.Vote.Value);
        Assert.Equal(HashOf(block), Assert.Single(restarted.OwnVotes).Value); // the logged vote is sent again, not a new one
    }

    [Fact]
    public void Start_WithTheMiddleOfTheLogCorrupt_Refuses()
    {
        var (h, _) = Prevoted();
        h.Driver.Dispose();
        var name = ConsensusWal.SegmentName(1);
        var content = h.Storage.Read(name)!;
        content[WalFrames.HeaderLength + 10] ^= 0x01; // inside the first record; more follow
        h.Storage.Overwrite(name, content);
        var restarted = new DriverHarness(self: 1, storage: h.Storage, app: h.App);
        var e = Assert.Throws<WalException>(() => restarted.Driver.Start());
        Assert.Equal(WalFrames.HeaderLength, e.Offset);
        Assert.Contains("refuses to start", e.Message);
    }

    [Fact]
    public void Start_WithATornTail_CutsItWithAWarning_AndCarriesOn()
    {
        var (h, _) = Prevoted();
        h.Driver.Dispose();
        var name = ConsensusWal.SegmentName(1);
        var content = h.Storage.Read(name)!;
        h.Storage.Overwrite(name, [.. content, .. WalFrames.Frame(new byte[40])[..20]]);
        var restarted = new DriverHarness(self: 1, storage: h.Storage, app: h.App);
        restarted.Driver.Start();
        Assert.Contains($"torn tail at offset {content.Length}", Assert.Single(restarted.Warnings));
        Assert.Equal(Step.Prevote, restarted.Driver.State.Step);
    }

    [Fact]
    public void Start_WithTheLogAheadOfTheStore_Refuses()
    {
        var storage = new MemoryWalStorage();
        storage.Overwrite(ConsensusWal.SegmentName(5), WalFrames.Header());
        var h = new DriverHarness(storage: storage);
        Assert.Contains("the store lost decided blocks", Assert.Throws<WalException>(() => h.Driver.Start()).Message);
    }

    [Fact]
    public void DamagedMessages_AreDropped_NotLoggedNorCounted()
    {
        var h = new DriverHarness(self: 1);
        h.Driver.Start();
        var before = h.Storage.Read(ConsensusWal.SegmentName(1))!.Length;
        var forged = h.Vote(2, 1, 0, VoteType.Prevote, Vote.Nil);
        forged.Vote.Validator = Google.Protobuf.ByteString.CopyFrom(Simulation.Simulation.AddressOf(3).Bytes); // signed by 2, claims 3
        h.Receive(forged, 2);
        var shortHash = h.Vote(2, 1, 0, VoteType.Prevote, Vote.Nil);
        shortHash.Vote.Vote.BlockHash = Google.Protobuf.ByteString.CopyFrom(new byte[31]);
        h.Receive(shortHash, 2);
        int proposer = h.ProposerIndex(0);
        var block = h.App.BuildProposal(1, Simulation.Simulation.GenesisTimeMs + 10_000, Simulation.Simulation.AddressOf(proposer));
        var swapped = h.Proposal(proposer, block, 0);
        swapped.Proposal.Block = h.App.BuildVariant(block); // a block other than the one signed
        h.Receive(swapped, proposer);
        Assert.Equal(before, h.Storage.Read(ConsensusWal.SegmentName(1))!.Length);
        Assert.Equal(0, h.Driver.State.Votes.Of(0, VoteType.Prevote).Count);
    }

    [Fact]
    public void FloodOfProposalsInOneRound_DoesNotCrowdOutTheNextRoundsBlock()
    {
        // Regression: a Byzantine proposer signing dozens of blocks for its round filled a height-wide block cache, and
        // the honest proposal of a later round was then dropped, so no node could execute it (seed 476).
        var h = new DriverHarness(self: 1);
        h.Driver.Start();
        int byzantine = h.ProposerIndex(0), honest = h.ProposerIndex(1);
        var first = h.App.BuildProposal(1, Simulation.Simulation.GenesisTimeMs + 10_000, Simulation.Simulation.AddressOf(byzantine));
        for (int i = 0; i < 70; i++) h.Receive(h.Proposal(byzantine, h.App.BuildVariant(first), 0), byzantine);
        foreach (int other in new[] { 0, 2, 3 }.Where(i => i != h.Self).Take(2))
            h.Receive(h.Vote(other, 1, 1, VoteType.Prevote, Vote.Nil), other); // f + 1 in round 1: skip to it (L55)
        Assert.Equal(1, h.Driver.State.Round);
        var block = h.App.BuildProposal(1, Simulation.Simulation.GenesisTimeMs + 10_000, Simulation.Simulation.AddressOf(honest));
        h.Receive(h.Proposal(honest, block, 1), honest);
        Assert.Contains(h.OwnVotes, v => v.Round == 1 && v.Value == HashOf(block));
    }

    [Fact]
    public void Stuck_GossipRelaysThePolkaOthersSigned()
    {
        // Regression: only own messages were sent again, so a node shown an equivocator's other prevote never saw the
        // polka that the equivocator's vote completed for everyone else (seeds 28, 476).
        var (h, block) = Prevoted();
        var others = new[] { 0, 2, 3 }.Where(i => i != h.Self).Take(2).ToList();
        foreach (int other in others) h.Receive(h.Vote(other, 1, 0, VoteType.Prevote, HashOf(block)), other);
        h.Gossip();
        h.Sent.Clear();
        h.Gossip(); // nothing moved since the last tick
        var relayed = h.Sent.Where(s => s.Message.BodyCase == ConsensusMessage.BodyOneofCase.Vote).Select(s => Address.FromBytes(s.Message.Vote.Validator.Span)).ToList();
        Assert.All(others, o => Assert.Contains(Simulation.Simulation.AddressOf(o), relayed));
        Assert.Contains(h.Sent, s => s.Message.Status is { Height: 1 });
    }

    [Fact]
    public void Stuck_GossipRelaysEveryVoteOfTheRoundThatMovedIt()
    {
        // Regression: a node that left round 0 on "2f + 1 precommits of anything", one of them a colluder's precommit sent
        // to it alone, passed none of them on; the others never saw three precommits and waited forever (soak seed 6921).
        var h = new DriverHarness(self: 1);
        h.Driver.Start();
        var mixed = new[] { (0, Vote.Nil), (2, Keccak256.Hash("a block only node 1 was shown"u8)), (3, Vote.Nil) };
        foreach (var (other, value) in mixed) h.Receive(h.Vote(other, 1, 0, VoteType.Precommit, value), other);
        Assert.Equal(0, h.Driver.State.Round); // no value has 2/3: only the timeout will move it
        h.Gossip();
        h.Sent.Clear();
        h.Gossip();
        var relayed = h.Sent.Where(s => s.Message.Vote?.Vote.VoteType == VoteType.Precommit).Select(s => Address.FromBytes(s.Message.Vote.Validator.Span)).ToList();
        Assert.All(mixed, m => Assert.Contains(Simulation.Simulation.AddressOf(m.Item1), relayed));
    }

    [Fact]
    public void MessageTwoHeightsAhead_AsksThatPeerForTheDecidedBlock()
    {
        // Regression: a node that missed decisions (an observer above all, which sends nothing) never got them.
        var h = new DriverHarness(self: 1);
        h.Driver.Start();
        h.Receive(h.Vote(2, 3, 0, VoteType.Prevote, Vote.Nil), 2);
        var (to, message) = Assert.Single(h.Sent, s => s.To is not null && s.Message.Status is not null);
        Assert.Equal((Simulation.Simulation.AddressOf(2), 1UL), (to, message.Status.Height));
    }

    [Fact]
    public void PeerBehind_GetsTheDecidedBlockWithItsCommit()
    {
        var (h, block) = Prevoted();
        foreach (int other in new[] { 0, 2, 3 }.Where(i => i != h.Self))
            h.Receive(h.Vote(other, 1, 0, VoteType.Precommit, HashOf(block)), other);
        Assert.Equal(1UL, h.App.Height);
        h.Receive(new ConsensusMessage { Status = new HeightStatus { Height = 1 } }, 3);
        var (to, message) = Assert.Single(h.Sent, s => s.Message.Decision is not null);
        Assert.Equal(Simulation.Simulation.AddressOf(3), to);
        Assert.Null(ConsensusCodec.VerifyCommit(message.Decision, h.Set, DriverHarness.ChainId, (d, s) => Signer.Recover(d, s)));
    }

    // Issue 15: an observer paused for block sync missed the messages of the height after its tip, and, waiting (block
    // pacing) for that height's start, took only a message of that very height as the sign to start it: the next
    // height's messages and the decision were dropped, so it fell two behind every couple of blocks and block sync
    // fetched them.
    [Fact]
    public void WaitingToStartAHeight_AMessageOfALaterHeight_StartsIt_AndTheDecisionAPeerSendsCommitsIt()
    {
        var h = new DriverHarness(observer: true, heartbeat: TimeSpan.FromMinutes(10));
        h.Driver.Start();
        Assert.True(h.Driver.Waiting);
        // The validators decided height 1 without this node and started height 2.
        h.Receive(h.Vote(2, 2, 0, VoteType.Prevote, Vote.Nil), 2);
        Assert.False(h.Driver.Waiting);
        Assert.Equal(1UL, h.Driver.State.Height);
        // It says which height it decides, so a peer that decided it sends the block with its commit.
        Assert.Contains(h.Sent, s => s.To is null && s.Message.Status is { Height: 1 });
        var block = h.App.BuildProposal(1, Simulation.Simulation.GenesisTimeMs + 10_000, Simulation.Simulation.AddressOf(h.ProposerIndex(0)));
        h.Receive(DriverHarness.Decision(block, [0, 2, 3]), 2);
        Assert.Equal(1UL, h.App.Height);
        Assert.Equal(HashOf(block), HashOf(h.App.CommittedBlock(1)!));
        Assert.Empty(h.OwnVotes);
    }

    [Fact]
    public void WaitingToStartAHeight_ItsDecisionFromAPeer_StartsAndCommitsIt()
    {
        var h = new DriverHarness(observer: true, heartbeat: TimeSpan.FromMinutes(10));
        h.Driver.Start();
        Assert.True(h.Driver.Waiting);
        var proposer = new ProposerRotation(h.Set).At(0);
        var block = h.App.BuildProposal(1, Simulation.Simulation.GenesisTimeMs + 10_000, proposer);
        h.Receive(DriverHarness.Decision(block, [0, 1, 2]), 3);
        Assert.Equal(1UL, h.App.Height);
    }
}
