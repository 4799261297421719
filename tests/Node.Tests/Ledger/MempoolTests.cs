using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Ledger;

/// <summary>The mempool's verdicts, one per reason code of DESIGN.md rule 4.</summary>
public sealed class MempoolTests
{
    private readonly LedgerHarness _chain = new();
    private readonly MemoryLedgerStore _store = new();
    private long _lastBlockTimeMs;

    public MempoolTests()
    {
        var (changes, appHash) = GenesisState.Build(_chain.Document);
        _store.InitializeGenesis(Hash32.Zero, changes, appHash);
        _lastBlockTimeMs = _chain.Parameters.GenesisTimeMs;
    }

    private Mempool Create(int maxTransactions = 100, long maxBytes = 1 << 20)
        => new(new TransactionVerifier(LedgerHarness.ChainId, Secp256k1.Default, 4096), _store, () => _lastBlockTimeMs, maxTransactions, maxBytes);

    private byte[] Admit(ulong nonce, ulong chainId = LedgerHarness.ChainId)
        => LedgerHarness.Envelope(new Admit { Account = ByteString.CopyFrom(_chain.Carol.Address.Bytes), Role = "Consumer", Name = "Carol", Nonce = nonce }, chainId, _chain.Operator).ToByteArray();

    [Fact]
    public void Valid_IsAccepted_AndReapedInFifoOrder()
    {
        var pool = Create();
        var first = pool.Submit(Admit(1));
        var second = pool.Submit(Admit(2));
        Assert.True(first.Accepted);
        Assert.Equal(ReasonCodes.Ok, second.Code);
        Assert.Equal([first.TransactionId, second.TransactionId], pool.Reap(10, 1 << 20).Select(t => t.Id));
        Assert.Single(pool.Reap(1, 1 << 20));
        pool.Remove([first.TransactionId]);
        Assert.Equal(second.TransactionId, Assert.Single(pool.Reap(10, 1 << 20)).Id);
        Assert.Equal(pool.Reap(10, 1 << 20)[0].Bytes.Length, pool.Bytes);
    }

    [Fact]
    public void Garbage_IsMalformed() => Assert.Equal(ReasonCodes.Malformed, Create().Submit([0xff, 0xff, 0xff]).Code);

    [Fact]
    public void OtherChain_IsWrongChain() => Assert.Equal(ReasonCodes.WrongChain, Create().Submit(Admit(1, chainId: 7)).Code);

    [Fact]
    public void Unsigned_IsBadSignature()
    {
        var tx = new Transaction { ChainId = LedgerHarness.ChainId, Admit = new Admit { Account = ByteString.CopyFrom(_chain.Carol.Address.Bytes), Role = "Consumer", Nonce = 1 } };
        Assert.Equal(ReasonCodes.BadSignature, Create().Submit(tx.ToByteArray()).Code);
    }

    [Fact]
    public void Oversized_IsTooLarge() => Assert.Equal(ReasonCodes.TooLarge, Create().Submit(new byte[5000]).Code);

    [Fact]
    public void SecondSubmission_IsDuplicate()
    {
        var pool = Create();
        pool.Submit(Admit(1));
        Assert.Equal(ReasonCodes.Duplicate, pool.Submit(Admit(1)).Code);
    }

    [Fact]
    public void Committed_IsDuplicate()
    {
        var bytes = Admit(1);
        var id = Contracts.Ledger.TransactionId.Of(bytes);
        _store.Commit(new Block { Header = new BlockHeader { Height = 1 } }, Hash32.Zero, [new TransactionResult { TransactionId = ByteString.CopyFrom(id.Bytes), Code = ReasonCodes.Ok }], [], Hash32.Zero);
        var verdict = Create().Submit(bytes);
        Assert.Equal(ReasonCodes.Duplicate, verdict.Code);
        Assert.Contains("height 1", verdict.Message);
    }

    [Fact]
    public void PastValidUntil_IsExpired()
    {
        var contract = _chain.Contract(_chain.Alice, _chain.Bob);
        _lastBlockTimeMs += 7200_000; // two hours after the contract's one-hour validity started
        var verdict = Create().Submit(LedgerHarness.Envelope(contract, _chain.Alice, _chain.Bob).ToByteArray());
        Assert.Equal(ReasonCodes.Expired, verdict.Code);
    }

    [Fact]
    public void OverCountOrBytes_IsMempoolFull()
    {
        var byCount = Create(maxTransactions: 1);
        byCount.Submit(Admit(1));
        Assert.Equal(ReasonCodes.MempoolFull, byCount.Submit(Admit(2)).Code);
        var byBytes = Create(maxBytes: Admit(1).Length + 10);
        byBytes.Submit(Admit(1));
        Assert.Equal(ReasonCodes.MempoolFull, byBytes.Submit(Admit(2)).Code);
    }

    [Fact]
    public async Task ConcurrentSubmissions_KeepCountsConsistent()
    {
        var pool = Create(maxTransactions: 1000);
        var txs = Enumerable.Range(1, 64).Select(n => Admit((ulong)n)).ToList();
        await Task.WhenAll(txs.Select(t => Task.Run(() => pool.Submit(t))));
        Assert.Equal(64, pool.Count);
        Assert.Equal(txs.Sum(t => (long)t.Length), pool.Bytes);
    }
}
