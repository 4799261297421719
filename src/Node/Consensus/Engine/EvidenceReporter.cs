using Google.Protobuf;
using Microsoft.Extensions.Logging;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;
using P2PEnergy.Node.Consensus.Core;
using P2PEnergy.Node.Consensus.Driver;
using P2PEnergy.Node.ProcessState;
using CoreEvidence = P2PEnergy.Node.Consensus.Core.Evidence;

namespace P2PEnergy.Node.Consensus.Engine;

/// <summary>
/// Turns equivocation the driver saw on the wire into an Evidence transaction signed with this validator's key, once per
/// distinct offence (validator, height, round, vote type), and hands it to the mempool. Called on the consensus thread;
/// the submission (signature recovery, the mempool's lock) runs where <c>dispatch</c> puts it, so consensus never waits
/// for it. Two conflicting proposals are logged only: the ledger's Evidence carries votes.
/// </summary>
public sealed class EvidenceReporter
{
    /// <summary>Offences remembered to report each once; beyond this the memory starts over (a repeat is then refused as EVIDENCE_DUPLICATE or DUPLICATE).</summary>
    public const int Remembered = 4096;

    private readonly ulong _chainId;
    private readonly PrivateKey _key;
    private readonly Func<byte[], MempoolVerdict> _submit;
    private readonly Action<Action> _dispatch;
    private readonly ILogger _log;
    private readonly HashSet<(Address Validator, ulong Height, int Round, VoteType Type)> _reported = [];

    /// <summary>
    /// Reports as validator <paramref name="key"/> on chain <paramref name="chainId"/>, through <paramref name="submit"/>
    /// (the mempool's door), run by <paramref name="dispatch"/> (the host: the thread pool; the in-process cluster: its scheduler).
    /// </summary>
    public EvidenceReporter(ulong chainId, PrivateKey key, Func<byte[], MempoolVerdict> submit, Action<Action> dispatch, ILogger log)
    {
        _chainId = chainId;
        _key = key;
        _submit = submit;
        _dispatch = dispatch;
        _log = log;
    }

    /// <summary>Transactions handed to the mempool so far (tests, metrics).</summary>
    public int Submitted { get; private set; }

    /// <summary>The driver found <paramref name="evidence"/>: submit it unless this offence was already reported.</summary>
    public void Report(CoreEvidence evidence)
    {
        if (evidence is not DuplicateVoteEvidence votes)
        {
            _log.LogWarning("evidence of misbehaviour not submitted (the ledger's Evidence carries votes only): {Evidence}", evidence);
            return;
        }
        var vote = votes.First.Vote;
        if (_reported.Count >= Remembered) _reported.Clear();
        if (!_reported.Add((vote.Validator, vote.Height, vote.Round, vote.Type))) return;
        var envelope = Envelope(votes);
        Submitted++;
        _dispatch(() =>
        {
            var verdict = _submit(envelope);
            if (verdict.Accepted) _log.LogWarning("submitted evidence {Transaction}: {Evidence}", verdict.TransactionId, evidence);
            else _log.LogWarning("evidence {Evidence} refused at the door: {Code} {Message}", evidence, verdict.Code, verdict.Message);
        });
    }

    /// <summary>The Evidence transaction for two conflicting signed votes, signed by this validator.</summary>
    public byte[] Envelope(DuplicateVoteEvidence votes)
    {
        var body = new Contracts.Protos.Evidence { First = Signed(votes.First), Second = Signed(votes.Second) };
        var envelope = new Transaction { Evidence = body, ChainId = _chainId };
        envelope.Signatures.Add(ByteString.CopyFrom(_key.Sign(LedgerTypedData.Digest(body, _chainId)).Bytes));
        return envelope.ToByteArray();
    }

    private static EvidenceVote Signed(SignedVote vote) => new()
    {
        Vote = ConsensusCodec.ToCommitVote(vote.Vote), Signature = ByteString.CopyFrom(vote.Signature.Bytes),
    };
}
