using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Node.Storage;
using static P2PEnergy.Node.Tests.Storage.TestChain;

namespace P2PEnergy.Node.Tests.Storage;

/// <summary>
/// The store's membership filters may only ever make a lookup skip SQLite for what it does not hold: a transaction or
/// key committed before a reader looks is always found, by readers racing the writer and after a reopen.
/// </summary>
public sealed class SqliteLedgerStoreFilterTests : IDisposable
{
    private readonly TemporaryDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task CommittedTransactionsAndKeys_AreFoundByRacingReaders_AndAfterReopen()
    {
        var committedTxs = new List<byte[]>();
        int published = 0, misses = 0;
        using (var store = SqliteLedgerStore.Open(_dir.File()))
        {
            InitializeGenesis(store, Set("acct/genesis", "1"));
            var writer = Task.Run(() =>
            {
                for (int height = 1; height <= 300; height++)
                {
                    var txs = Enumerable.Range(0, 20).Select(i => System.Text.Encoding.UTF8.GetBytes($"tx {height}/{i}")).ToArray();
                    Next(store, [Set($"key/{height:D5}", "v")], txs).CommitTo(store);
                    lock (committedTxs) committedTxs.AddRange(txs);
                    Volatile.Write(ref published, height);
                }
            });
            var readers = Enumerable.Range(0, 3).Select(r => Task.Run(() =>
            {
                var random = new Random(r);
                while (!writer.IsCompleted)
                {
                    int height = Volatile.Read(ref published);
                    if (height == 0) continue;
                    byte[] tx;
                    lock (committedTxs) tx = committedTxs[random.Next(committedTxs.Count)];
                    if (store.FindTransaction(TransactionId.Of(tx)) is null) Interlocked.Increment(ref misses);
                    if (store.Get($"key/{random.Next(1, height + 1):D5}") is null) Interlocked.Increment(ref misses);
                    if (store.Get($"key/{height + 1000:D5}") is not null) Interlocked.Increment(ref misses);
                }
            })).ToArray();
            await Task.WhenAll([writer, .. readers]);
        }
        Assert.Equal(0, misses);
        using var reopened = SqliteLedgerStore.Open(_dir.File());
        Assert.All(committedTxs, tx => Assert.NotNull(reopened.FindTransaction(TransactionId.Of(tx))));
        Assert.All(Enumerable.Range(1, 300), h => Assert.NotNull(reopened.Get($"key/{h:D5}")));
        Assert.Null(reopened.FindTransaction(TransactionId.Of("never"u8.ToArray())));
    }
}
