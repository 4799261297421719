using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.Application;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.Ledger;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.ProcessState;
using P2PEnergy.Node.Storage;
using P2PEnergy.Node.Tests.Ledger;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Consensus.Application;

/// <summary>
/// A peer's proposal whose transactions wait in this node's mempool is checked without recovering their signatures
/// again (the door's verification of the same bytes is reused), and executes to the same app hash as on a cold node that
/// holds none of them and recovers every signature.
/// </summary>
public sealed class PeerProposalVerificationTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "p2pe-proposal-" + Guid.NewGuid().ToString("N"));
    private readonly LedgerHarness _chain = new();
    private readonly List<SqliteLedgerStore> _stores = [];

    public PeerProposalVerificationTests() => Directory.CreateDirectory(_root);

    public void Dispose()
    {
        foreach (var store in _stores) store.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>Counts signature recoveries and delegates them to the real backend.</summary>
    private sealed class CountingSecp256k1 : ISecp256k1
    {
        public int Recoveries;
        public string Name => Secp256k1.Default.Name;
        public Signature Sign(ReadOnlySpan<byte> digest32, ReadOnlySpan<byte> privateKey32) => Secp256k1.Default.Sign(digest32, privateKey32);

        public byte[] RecoverPublicKey(ReadOnlySpan<byte> digest32, Signature signature)
        {
            Interlocked.Increment(ref Recoveries);
            return Secp256k1.Default.RecoverPublicKey(digest32, signature);
        }

        public byte[] PublicKey(ReadOnlySpan<byte> privateKey32) => Secp256k1.Default.PublicKey(privateKey32);
        public bool Verify(ReadOnlySpan<byte> digest32, Signature signature, ReadOnlySpan<byte> publicKey64) => Secp256k1.Default.Verify(digest32, signature, publicKey64);
    }

    private (LedgerApplication App, Mempool Mempool) Node(string name, ISecp256k1 secp)
    {
        var store = SqliteLedgerStore.Open(Path.Combine(_root, name + ".db"));
        _stores.Add(store);
        var (changes, appHash) = GenesisState.Build(_chain.Document);
        store.InitializeGenesis(Keccak256.Hash(System.Text.Encoding.UTF8.GetBytes(_chain.Document.ToJson())), changes, appHash);
        var verifier = new TransactionVerifier(_chain.Parameters.ChainId, secp);
        LedgerApplication? app = null;
        var mempool = new Mempool(verifier, _chain.Parameters, store, () => app?.LastBlockTimeMs ?? _chain.Parameters.GenesisTimeMs);
        app = new LedgerApplication(new BlockExecutor(_chain.Parameters, verifier, new UnmodelledGrid()), verifier, store, mempool);
        return (app, mempool);
    }

    private List<byte[]> Transactions() =>
    [
        LedgerHarness.Envelope(new Deposit { Account = ByteString.CopyFrom(_chain.Alice.Address.Bytes), Amount = 5, Reference = "one", Nonce = 1 }, _chain.Operator).ToByteArray(),
        LedgerHarness.Envelope(new Deposit { Account = ByteString.CopyFrom(_chain.Bob.Address.Bytes), Amount = 7, Reference = "two", Nonce = 2 }, _chain.Operator).ToByteArray(),
        LedgerHarness.Envelope(new Admit { Account = ByteString.CopyFrom(_chain.Carol.Address.Bytes), Role = "Consumer", Name = "Carol", Nonce = 3 }, _chain.Operator).ToByteArray(),
    ];

    private Block Proposal(IReadOnlyList<byte[]> transactions)
    {
        var (proposer, mempool) = Node("proposer", Secp256k1.Default);
        foreach (var tx in transactions) Assert.True(mempool.Submit(tx).Accepted);
        var block = proposer.BuildProposal(1, _chain.Parameters.GenesisTimeMs + 1000, _chain.Validator.Address);
        Assert.Equal(transactions.Count, block.Transactions.Count);
        return block;
    }

    [Fact]
    public void APeersProposal_OfTransactionsInTheMempool_IsCheckedWithoutRecoveringTheirSignaturesAgain()
    {
        var transactions = Transactions();
        var block = Proposal(transactions);
        var secp = new CountingSecp256k1();
        var (app, mempool) = Node("warm", secp);
        foreach (var tx in transactions) Assert.True(mempool.Submit(tx).Accepted);
        int atTheDoor = secp.Recoveries;
        Assert.Equal(transactions.Count, atTheDoor);

        var verdict = app.Execute(block);

        Assert.True(verdict.Valid, verdict.Reason);
        Assert.Equal(Hash32.FromBytes(block.Header.AppHash.Span), verdict.AppHash);
        Assert.Equal(atTheDoor, secp.Recoveries);
    }

    [Fact]
    public void APeersProposal_OnAColdNodeWhoseMempoolHoldsNone_RecoversEverySignature_AndExecutesToTheSameAppHash()
    {
        var transactions = Transactions();
        var block = Proposal(transactions);
        var secp = new CountingSecp256k1();
        var (cold, _) = Node("cold", secp);
        var (warm, mempool) = Node("warm", Secp256k1.Default);
        foreach (var tx in transactions) Assert.True(mempool.Submit(tx).Accepted);

        var coldVerdict = cold.Execute(block);
        var warmVerdict = warm.Execute(block);

        Assert.True(coldVerdict.Valid, coldVerdict.Reason);
        Assert.True(warmVerdict.Valid, warmVerdict.Reason);
        Assert.Equal(transactions.Count, secp.Recoveries);
        Assert.Equal(coldVerdict.AppHash, warmVerdict.AppHash);
        cold.Commit(block);
        warm.Commit(block);
        Assert.Equal(_stores[1].AppHash, _stores[2].AppHash);
    }

    [Fact]
    public void AKnownVerificationOfOtherBytesOrAnotherId_IsNotTakenForTheBlocks()
    {
        // The mempool is only consulted by id: a lookup answering with other bytes under that id (impossible for keccak256,
        // but the check must not rest on it) is ignored and the block's own bytes are verified.
        var transactions = Transactions();
        var block = Proposal(transactions);
        var secp = new CountingSecp256k1();
        var verifier = new TransactionVerifier(_chain.Parameters.ChainId, secp);
        var other = new TransactionVerifier(_chain.Parameters.ChainId, Secp256k1.Default).Verify(transactions[0]);
        var stranger = other with { Bytes = transactions[1] };
        var (app, _) = Node("cold", Secp256k1.Default);
        var parent = new BlockParent(_chain.Parameters.ChainId, 0, Hash32.FromBytes(block.Header.PreviousHash.Span), app.LastBlockTimeMs,
            app.ValidatorsAt(1), Hash32.FromBytes(block.Header.NextValidatorSetHash.Span));

        var (checkedTransactions, problem) = ProposalCheck.Check(block, parent, verifier, _ => stranger);

        Assert.Null(problem);
        Assert.Equal(transactions.Count, secp.Recoveries);
        Assert.Equal(transactions.Select(t => Contracts.Ledger.TransactionId.Of(t)), checkedTransactions!.Select(t => t.Id));
    }

    [Fact]
    public void APeersProposal_HoldingBytesThatFailTheStatelessChecks_IsInvalid_NamingTheTransaction()
    {
        // Unknown to the mempool, so verified from the block's own bytes: a proposer's fault, not a result to record.
        var transactions = Transactions();
        var block = Proposal(transactions);
        block.Transactions[1] = ByteString.CopyFrom(0x0a, 0x01, 0xff);
        var (app, mempool) = Node("warm", Secp256k1.Default);
        foreach (var tx in transactions) Assert.True(mempool.Submit(tx).Accepted);

        var verdict = app.Execute(block);

        Assert.False(verdict.Valid);
        Assert.StartsWith("transaction 1 fails the stateless checks:", verdict.Reason);
    }
}
