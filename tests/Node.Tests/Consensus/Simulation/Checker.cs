using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.Core;
using P2PEnergy.Node.Consensus.Driver;

namespace P2PEnergy.Node.Tests.Consensus.Simulation;

/// <summary>
/// The properties every run must keep, checked as events happen (every commit, every signed message) and at the end:
/// agreement (one block per height across all nodes), validity (only blocks that execute are committed, each with a
/// commit of more than 2/3 of that height's power), equal app hashes per height, no honest double signing, and
/// termination once the network is synchronous with at most f faulty.
/// </summary>
public sealed class Checker(ulong chainId, SignatureRecovery recover)
{
    private readonly Dictionary<ulong, (Hash32 Block, Hash32 AppHash, int Node)> _decided = [];
    private readonly Dictionary<(Address Validator, ulong Height, int Round, Step Step), Hash32> _signed = [];
    private readonly List<string> _violations = [];

    public IReadOnlyList<string> Violations => _violations;

    public bool Violated => _violations.Count > 0;

    public void Committed(int node, Block block, Hash32 appHash, ValidatorSet validators)
    {
        ulong height = block.Header.Height;
        var hash = BlockHeaderHashing.Hash(block.Header);
        if (_decided.TryGetValue(height, out var first))
        {
            if (first.Block != hash) Violation($"agreement: node {node} committed {hash} at height {height}, node {first.Node} committed {first.Block}");
            else if (first.AppHash != appHash) Violation($"app hash: node {node} has {appHash} after height {height}, node {first.Node} has {first.AppHash}");
        }
        else _decided[height] = (hash, appHash, node);
        if (ConsensusCodec.VerifyCommit(block, validators, chainId, recover) is { } problem)
            Violation($"validity: node {node} committed height {height} with a bad commit: {problem}");
    }

    public void InvalidCommit(int node, ulong height, string reason) => Violation($"validity: node {node} committed an invalid block at height {height}: {reason}");

    /// <summary>A message an honest node signed: no other message for the same validator, height, round and step may differ.</summary>
    public void Signed(int node, ConsensusMessage message)
    {
        var (validator, height, round, step, value) = message.BodyCase switch
        {
            ConsensusMessage.BodyOneofCase.Vote => (Address.FromBytes(message.Vote.Validator.Span), message.Vote.Vote.Height, (int)message.Vote.Vote.Round,
                message.Vote.Vote.VoteType == VoteType.Prevote ? Step.Prevote : Step.Precommit, Hash32.FromBytes(message.Vote.Vote.BlockHash.Span)),
            ConsensusMessage.BodyOneofCase.Proposal => (Address.FromBytes(message.Proposal.Proposer.Span), message.Proposal.Proposal.Height,
                (int)message.Proposal.Proposal.Round, Step.Propose, Hash32.FromBytes(message.Proposal.Proposal.BlockHash.Span)),
            _ => throw new ArgumentException("only proposals and votes are signed"),
        };
        if (_signed.TryGetValue((validator, height, round, step), out var earlier) && earlier != value)
            Violation($"double sign: honest node {node} signed {step} at {height}/{round} for {earlier} and for {value}");
        _signed[(validator, height, round, step)] = value;
    }

    public void Violation(string what) => _violations.Add(what);
}
