using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;

namespace P2PEnergy.Anchor.Proofs;

/// <summary>
/// Checks a contract proof against the ledger's rules alone, with no node and no network: the contract id is the EIP-712
/// digest of the signed terms, the signatures recover, the transaction's id leads by its audit path to its block's
/// transactions_root, the headers chain by previous_hash (and each header's next validator set is the next header's set),
/// and every header's commit holds precommits of more than 2/3 of the power of the set it names. What it cannot know
/// offline — that these validators are the ledger's — the anchored checkpoint settles (<see cref="AnchoredCheck"/>).
/// </summary>
public static class ProofVerifier
{
    public static IReadOnlyList<(Address Address, long Power)> Members(ValidatorSetMembers set)
        => set.Validators.Select(v => (Address.FromBytes(v.Address.Span), v.Power)).ToList();

    public static ProofVerdict Verify(ContractProof proof)
    {
        var facts = new List<string>();
        try { return Check(proof, facts); }
        catch (Exception e) when (e is FormatException or InvalidProtocolBufferException or ArgumentException or TypedDataException)
        {
            return ProofVerdict.Fail(ProofReasons.Malformed, e.Message, facts);
        }
    }

    private static ProofVerdict Check(ContractProof proof, List<string> facts)
    {
        ProofVerdict Fail(string code, string message) => ProofVerdict.Fail(code, message, facts);
        if (proof.ContractId.Length != 32) return Fail(ProofReasons.Malformed, $"contractId must be 32 bytes, got {proof.ContractId.Length}");
        if (proof.Transactions.Count == 0) return Fail(ProofReasons.Malformed, "the proof holds no transaction");
        if (proof.Headers.Count == 0) return Fail(ProofReasons.Malformed, "the proof holds no header");
        var contractId = Hash32.FromBytes(proof.ContractId.Span);
        ulong chainId = proof.ChainId;

        // 1. The agreement: what was signed, and by whom.
        var envelopes = proof.Transactions.Select(t => Transaction.Parser.ParseFrom(t.Transaction)).ToList();
        foreach (var (envelope, i) in envelopes.Select((e, i) => (e, i)))
            if (envelope.ChainId != chainId) return Fail(ProofReasons.WrongChain, $"transaction {i} is signed for chain {envelope.ChainId}, the proof is for chain {chainId}");
        var primary = envelopes[0];
        var body = ProofTransaction.Body(primary) ?? throw new FormatException($"transaction 0 is a {primary.BodyCase}, not an EnergyContract or a Take");
        var digest = LedgerTypedData.Digest(body, chainId);
        if (digest != contractId) return Fail(ProofReasons.ContractIdMismatch, $"the {body.Descriptor.Name} in the proof has EIP-712 digest {digest}, the proof claims contract {contractId}");
        if (Signers(primary, digest, out var signers) is { } bad) return Fail(ProofReasons.BadSignature, $"{body.Descriptor.Name}: {bad}");
        if (body is EnergyContract contract)
        {
            facts.Add($"contract {contractId}: {contract.WhPerInterval} Wh in each of {contract.IntervalCount} interval(s) from {contract.IntervalStart} (unix s) at {contract.PricePerKwh} micro-units/kWh");
            facts.Add(Parties(Address.FromBytes(contract.Seller.Span), Address.FromBytes(contract.Buyer.Span), signers));
        }
        else
        {
            var take = (Take)body;
            if (envelopes.Count < 2 || envelopes[1].BodyCase != Transaction.BodyOneofCase.Offer)
                return Fail(ProofReasons.Malformed, "a contract made by a take needs the offer's transaction as transaction 1");
            var offer = envelopes[1].Offer;
            var offerDigest = LedgerTypedData.Digest(offer, chainId);
            if (offerDigest != Hash32.FromBytes(take.OfferId.Span))
                return Fail(ProofReasons.OfferMismatch, $"the take accepts offer {Hex.Encode(take.OfferId.Span)}, the proof's offer is {offerDigest}");
            if (Signers(envelopes[1], offerDigest, out var makers) is { } badOffer) return Fail(ProofReasons.BadSignature, $"Offer: {badOffer}");
            var maker = Address.FromBytes(offer.Maker.Span);
            var taker = Address.FromBytes(take.Taker.Span);
            facts.Add($"contract {contractId} (a take of offer {offerDigest}): {take.WhPerInterval} Wh in each of {offer.IntervalCount} interval(s) from {offer.IntervalStart} (unix s) at {offer.PricePerKwh} micro-units/kWh");
            facts.Add(offer.Sell ? Parties(maker, taker, [.. makers, .. signers]) : Parties(taker, maker, [.. signers, .. makers]));
        }

        // 2. The headers: consecutive, linked by previous_hash, each handing over to the next one's validator set.
        var byHeight = new Dictionary<ulong, BlockHeader>();
        for (int i = 0; i < proof.Headers.Count; i++)
        {
            var header = proof.Headers[i].Header ?? throw new FormatException($"headers[{i}] has no header");
            if (header.ChainId != chainId) return Fail(ProofReasons.WrongChain, $"header {header.Height} is of chain {header.ChainId}, the proof is for chain {chainId}");
            if (i > 0)
            {
                var previous = proof.Headers[i - 1].Header;
                if (header.Height != previous.Height + 1)
                    return Fail(ProofReasons.HeaderChainBroken, $"headers[{i}] is height {header.Height}, expected {previous.Height + 1} after height {previous.Height}");
                var previousHash = BlockHeaderHashing.Hash(previous);
                if (!header.PreviousHash.Span.SequenceEqual(previousHash.Bytes))
                    return Fail(ProofReasons.HeaderChainBroken, $"header {header.Height} names previous block {Hex.Encode(header.PreviousHash.Span)}, header {previous.Height} hashes to {previousHash}");
                if (!header.ValidatorSetHash.Span.SequenceEqual(previous.NextValidatorSetHash.Span))
                    return Fail(ProofReasons.HeaderChainBroken, $"header {previous.Height} hands over to validator set {Hex.Encode(previous.NextValidatorSetHash.Span)}, header {header.Height} is signed by {Hex.Encode(header.ValidatorSetHash.Span)}");
            }
            byHeight[header.Height] = header;
        }

        // 3. Inclusion: each transaction's id leads by its audit path to its block's transactions root.
        for (int i = 0; i < proof.Transactions.Count; i++)
        {
            var t = proof.Transactions[i];
            if (!byHeight.TryGetValue(t.Height, out var header))
                return Fail(ProofReasons.HeaderChainBroken, $"transaction {i} is at height {t.Height}, which the proof's headers ({proof.Headers[0].Header.Height}..{proof.Headers[^1].Header.Height}) do not cover");
            var id = TransactionId.Of(t.Transaction.Span);
            var root = MerkleAuditPath.RootFrom(id, t.Index, t.LeafCount, t.AuditPath.Select(p => Hash32.FromBytes(p.Span)).ToList());
            if (root is null || !root.Value.Bytes.SequenceEqual(header.TransactionsRoot.Span))
                return Fail(ProofReasons.NotInBlock, $"transaction {id} at index {t.Index} of {t.LeafCount}: its audit path leads to {(root is null ? "no root (wrong length for the tree)" : root.ToString())}, block {t.Height}'s transactions root is {Hex.Encode(header.TransactionsRoot.Span)}");
            facts.Add($"transaction {id} is number {t.Index} of {t.LeafCount} in block {t.Height}");
        }

        // 4. Commits: more than 2/3 of the named set's power precommitted every header.
        var sets = proof.ValidatorSets.Select(Members).ToDictionary(s => ValidatorSetHashing.Of(s), s => s);
        foreach (var block in proof.Headers)
        {
            var header = block.Header;
            var setHash = Hash32.FromBytes(header.ValidatorSetHash.Span);
            if (!sets.TryGetValue(setHash, out var set))
                return Fail(ProofReasons.MissingValidatorSet, $"header {header.Height} is signed by validator set {setHash}, which the proof does not list");
            if (block.Commit is null) return Fail(ProofReasons.CommitInvalid, $"header {header.Height} has no commit");
            var verdict = CommitCheck.Verify(header, block.Commit, set, chainId);
            if (!verdict.Holds)
                return Fail(verdict.Code == CommitCheck.InsufficientPower ? ProofReasons.InsufficientPower : ProofReasons.CommitInvalid, $"header {header.Height}: {verdict.Problem}");
        }
        var first = proof.Headers[0].Header;
        var last = proof.Headers[^1].Header;
        facts.Add($"blocks {first.Height}..{last.Height} chain by hash and each carries a commit of more than 2/3 of its validators' power");
        facts.Add($"block {last.Height} hashes to {BlockHeaderHashing.Hash(last)}; its validator set {Hex.Encode(last.ValidatorSetHash.Span)}: {string.Join(", ", sets[Hash32.FromBytes(last.ValidatorSetHash.Span)].Select(v => $"{v.Address} ({v.Power})"))}");
        return new ProofVerdict(null, $"contract {contractId} is in block {proof.Transactions[0].Height}, committed by more than 2/3 of the validators' power", facts);
    }

    /// <summary>The signers of an envelope over <paramref name="digest"/>; a problem text when one does not recover or repeats.</summary>
    private static string? Signers(Transaction envelope, Hash32 digest, out List<Address> signers)
    {
        signers = [];
        if (envelope.Signatures.Count == 0) return "carries no signature";
        for (int i = 0; i < envelope.Signatures.Count; i++)
        {
            if (!Signature.TryFromBytes(envelope.Signatures[i].Span, out var signature, out var error)) return $"signature {i}: {error}";
            Address signer;
            try { signer = Signer.Recover(digest, signature!); }
            catch (SignatureFormatException e) { return $"signature {i} recovers to no key: {e.Message}"; }
            if (signers.Contains(signer)) return $"signatures are by {signer} twice";
            signers.Add(signer);
        }
        return null;
    }

    private static string Parties(Address seller, Address buyer, IReadOnlyList<Address> signers)
    {
        string Role(Address a) => a == seller ? "the seller" : a == buyer ? "the buyer" : "an aggregator the ledger accepted for a party (delegation is ledger state, checked by the validators at commit)";
        return $"seller {seller}, buyer {buyer}; signed by {string.Join(" and ", signers.Select(s => $"{s} ({Role(s)})"))}";
    }
}
