using Google.Protobuf;
using P2PEnergy.Contracts.Api;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus;
using P2PEnergy.Node.Consensus.ValidatorSets;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Storage;

namespace P2PEnergy.Node.Api;

/// <summary>
/// Assembles a <see cref="ContractProof"/> from the store: the contract's transaction (a take's offer too) with its audit
/// path, the headers and commits from its block to the requested height, and the validator sets that sign them.
/// </summary>
public static class ContractProofBuilder
{
    /// <summary>Most headers one proof carries (about 0.5 KB each with one signature; a commit of 7 adds ~0.6 KB).</summary>
    public const int MaxHeaders = 2000;

    /// <summary>Builds the proof; refuses (RpcException with a reason) an unknown contract or a range the chain cannot serve.</summary>
    public static ContractProof Build(ILedgerStore store, ChainParameters parameters, Hash32 contractId, ulong toHeight, ulong anchoredHeight, string anchorContract)
    {
        var contract = store.Get(StateKeys.Contract(contractId)) is { } bytes
            ? ContractState.Parser.ParseFrom(bytes)
            : throw Refusal.Of(ApiReasons.UnknownContract, $"no committed contract has id {contractId}");
        var inclusions = new List<TransactionInclusion> { Inclusion(store, contract.Height, contractId, "contract") };
        if (!contract.OfferId.IsEmpty)
        {
            var offerId = Hash32.FromBytes(contract.OfferId.Span);
            var offer = store.Get(StateKeys.Offer(offerId)) is { } offerBytes
                ? OfferState.Parser.ParseFrom(offerBytes)
                : throw new InvalidOperationException($"contract {contractId} names offer {offerId}, which the state does not hold");
            inclusions.Add(Inclusion(store, offer.Height, offerId, "offer"));
        }
        ulong from = inclusions.Min(i => i.Height), at = inclusions.Max(i => i.Height);
        ulong to = toHeight != 0 ? toHeight : anchoredHeight >= at ? anchoredHeight : store.Height;
        if (to < at || to > store.Height)
            throw Refusal.Of(ApiReasons.ProofRange, $"to_height {to} must lie in [{at}, {store.Height}]: the contract is in block {at} and the chain is at {store.Height}");
        if (to - from + 1 > MaxHeaders)
            throw Refusal.Of(ApiReasons.ProofRange, $"blocks {from}..{to} are {to - from + 1} headers, more than the {MaxHeaders} one proof carries; ask for a nearer to_height");

        var proof = new ContractProof
        {
            ChainId = parameters.ChainId, ContractId = ByteString.CopyFrom(contractId.Bytes), AnchoredHeight = anchoredHeight, AnchorContract = anchorContract,
        };
        proof.Transactions.AddRange(inclusions);
        var sets = new Dictionary<Hash32, ValidatorSetMembers>();
        for (ulong h = from; h <= to; h++)
        {
            var block = store.GetBlock(h) ?? throw new InvalidOperationException($"block {h} is missing from the store");
            proof.Headers.Add(new Block { Header = block.Header, Commit = block.Commit });
            var setHash = Hash32.FromBytes(block.Header.ValidatorSetHash.Span);
            if (sets.ContainsKey(setHash)) continue;
            var members = ValidatorSchedule.InForce(store, parameters, h);
            if (ValidatorSetHash.Of(members) != setHash)
                throw new InvalidOperationException($"block {h} names validator set {setHash}, the schedule in state gives {ValidatorSetHash.Of(members)}");
            var set = new ValidatorSetMembers();
            set.Validators.AddRange(members.OrderBy(v => v.Address).Select(v => new ValidatorPower { Address = ByteString.CopyFrom(v.Address.Bytes), Power = v.Power }));
            sets[setHash] = set;
        }
        proof.ValidatorSets.AddRange(sets.Values);
        return proof;
    }

    /// <summary>The transaction of block <paramref name="height"/> whose committed payload is <paramref name="payloadId"/>, with its audit path.</summary>
    private static TransactionInclusion Inclusion(ILedgerStore store, ulong height, Hash32 payloadId, string what)
    {
        var block = store.GetBlock(height) ?? throw new InvalidOperationException($"block {height} is missing from the store");
        var results = store.GetResults(height);
        int index = -1;
        for (int i = 0; i < results.Count && index < 0; i++)
            if (results[i].Code == ReasonCodes.Ok && results[i].PayloadId.Span.SequenceEqual(payloadId.Bytes)) index = i;
        if (index < 0) throw new InvalidOperationException($"block {height} holds no committed transaction with the {what}'s payload {payloadId}");
        var leaves = block.Transactions.Select(t => TransactionId.Of(t.Span)).ToList();
        if (leaves.Count != results.Count || !results[index].TransactionId.Span.SequenceEqual(leaves[index].Bytes))
            throw new InvalidOperationException($"block {height}'s results do not line up with its transactions");
        var inclusion = new TransactionInclusion { Height = height, Index = (uint)index, LeafCount = (uint)leaves.Count, Transaction = block.Transactions[index] };
        inclusion.AuditPath.AddRange(MerkleAuditPath.Of(leaves, index).Select(p => ByteString.CopyFrom(p.Bytes)));
        return inclusion;
    }
}
