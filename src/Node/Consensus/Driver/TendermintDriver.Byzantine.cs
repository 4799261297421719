using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.Core;

namespace P2PEnergy.Node.Consensus.Driver;

// The test-only Byzantine behaviour (DriverOptions.Equivocate; a node turns it on only with Node:Consensus:TestByzantine
// and the P2PE_TEST_BYZANTINE variable, docs/consensus.md "Testing with a Byzantine validator"): beside every vote it
// signs honestly, the validator signs a second one for another block in the same height, round and type and sends it
// too. The second vote bypasses the double-sign guard on purpose and is neither logged nor fed to its own machine, so
// the node itself keeps following the chain as an honest node would; the honest path, guard included, is unchanged.
public sealed partial class TendermintDriver
{
    private readonly List<ConsensusMessage> _equivocations = [];

    private void Equivocate(Vote honest)
    {
        if (!_options.Equivocate || _key is null) return;
        // The conflicting value: nil for a block, a made-up block for nil; either way a hash no honest node signed.
        var other = honest.IsNil ? Keccak256.HashConcat(System.Text.Encoding.ASCII.GetBytes("p2pe test equivocation"), honest.Value.Bytes.ToArray()) : Vote.Nil;
        var conflicting = honest with { Value = other };
        var signature = _key.Sign(ConsensusCodec.Digest(conflicting, _options.ChainId));
        _equivocations.Add(new ConsensusMessage { Vote = ConsensusCodec.ToMessage(new SignedVote(conflicting, signature)) });
    }

    // After the honest messages left (Flush): the conflicting votes, to every peer.
    private void SendEquivocations()
    {
        if (_equivocations.Count == 0) return;
        if (!_replaying) foreach (var message in _equivocations) _network.Broadcast(message);
        _equivocations.Clear();
    }
}
