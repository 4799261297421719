using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;

namespace P2PEnergy.Anchor.Tests.Support;

/// <summary>
/// Proofs as a node builds them, made here from scratch: signed transactions in a block, that block and the next few
/// headers signed by <see cref="TestValidators"/>, and the audit path of the contract's transaction.
/// </summary>
public sealed class ProofFactory(TestValidators validators)
{
    public PrivateKey Seller { get; } = new(Keccak256.Hash("proof/seller"u8).Bytes);
    public PrivateKey Buyer { get; } = new(Keccak256.Hash("proof/buyer"u8).Bytes);

    public EnergyContract Terms() => new()
    {
        Seller = ByteString.CopyFrom(Seller.Address.Bytes), Buyer = ByteString.CopyFrom(Buyer.Address.Bytes), SellerMeter = "MTR-S", BuyerMeter = "MTR-B",
        IntervalStart = 1_800_000_000, IntervalCount = 4, WhPerInterval = 2500, PricePerKwh = 180_000, Nonce = 7, ValidUntil = 1_799_999_000,
    };

    public static byte[] Envelope(IMessage body, params PrivateKey[] signers)
    {
        var envelope = new Transaction { ChainId = TestValidators.LedgerChainId };
        switch (body)
        {
            case EnergyContract c: envelope.EnergyContract = c; break;
            case Offer o: envelope.Offer = o; break;
            case Take t: envelope.Take = t; break;
        }
        var digest = LedgerTypedData.Digest(body, TestValidators.LedgerChainId);
        foreach (var signer in signers) envelope.Signatures.Add(ByteString.CopyFrom(signer.Sign(digest).Bytes));
        return envelope.ToByteArray();
    }

    /// <summary>Filler transactions so the contract sits inside a tree, not alone.</summary>
    private static byte[] Filler(int i) => new Transaction { ChainId = TestValidators.LedgerChainId, Deposit = new Deposit { Amount = (ulong)i + 1, Reference = $"filler {i}", Nonce = (ulong)i } }.ToByteArray();

    /// <summary>
    /// A proof of <paramref name="primary"/> (and <paramref name="offer"/>, a block earlier) at <paramref name="height"/> among
    /// <paramref name="others"/> other transactions, with headers up to <paramref name="to"/>.
    /// </summary>
    public ContractProof Build(byte[] primary, Hash32 contractId, ulong height = 10, ulong to = 13, int others = 4, byte[]? offer = null)
    {
        var blocks = new Dictionary<ulong, List<byte[]>>();
        ulong from = offer is null ? height : height - 1;
        for (ulong h = from; h <= to; h++) blocks[h] = Enumerable.Range(0, h == height ? others : 1).Select(i => Filler((int)h * 100 + i)).ToList();
        blocks[height].Insert(others / 2, primary);
        if (offer is not null) blocks[height - 1].Add(offer);
        var proof = new ContractProof { ChainId = TestValidators.LedgerChainId, ContractId = ByteString.CopyFrom(contractId.Bytes) };
        var previous = Hash32.Zero;
        for (ulong h = from; h <= to; h++)
        {
            var ids = blocks[h].Select(t => TransactionId.Of(t)).ToList();
            var header = validators.Header(h, previous, MerkleRoot.Compute(ids));
            proof.Headers.Add(validators.CommitByAll(header));
            previous = BlockHeaderHashing.Hash(header);
        }
        proof.Transactions.Add(Inclusion(blocks[height], height, primary));
        if (offer is not null) proof.Transactions.Add(Inclusion(blocks[height - 1], height - 1, offer));
        var set = new ValidatorSetMembers();
        set.Validators.AddRange(validators.Set.Select(v => new ValidatorPower { Address = ByteString.CopyFrom(v.Address.Bytes), Power = v.Power }));
        proof.ValidatorSets.Add(set);
        return proof;
    }

    private static TransactionInclusion Inclusion(List<byte[]> block, ulong height, byte[] transaction)
    {
        int index = block.IndexOf(transaction);
        var ids = block.Select(t => TransactionId.Of(t)).ToList();
        var inclusion = new TransactionInclusion { Height = height, Index = (uint)index, LeafCount = (uint)block.Count, Transaction = ByteString.CopyFrom(transaction) };
        inclusion.AuditPath.AddRange(MerkleAuditPath.Of(ids, index).Select(p => ByteString.CopyFrom(p.Bytes)));
        return inclusion;
    }

    /// <summary>A direct contract signed by both parties, and its proof.</summary>
    public (ContractProof Proof, EnergyContract Terms) Contract(ulong height = 10, ulong to = 13)
    {
        var terms = Terms();
        var bytes = Envelope(terms, Seller, Buyer);
        return (Build(bytes, LedgerTypedData.Digest(terms, TestValidators.LedgerChainId), height, to), terms);
    }
}
