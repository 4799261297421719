using System.Text;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Storage;
using static P2PEnergy.Node.Tests.Storage.TestChain;

namespace P2PEnergy.Node.Tests.Storage;

public sealed class SqliteLedgerStoreTests : IDisposable
{
    private readonly TemporaryDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Open_NewFile_IsAnEmptyUninitialisedStore()
    {
        using var store = SqliteLedgerStore.Open(_dir.File());

        Assert.True(File.Exists(_dir.File()));
        Assert.Null(store.GenesisHash);
        Assert.Equal(0UL, store.Height);
        Assert.Equal(Hash32.Zero, store.AppHash);
        Assert.Equal(Hash32.Zero, store.LastBlockHash);
        Assert.Null(store.Get("acct/x"));
        Assert.Empty(store.Scan(""));
    }

    [Fact]
    public void Open_NewFile_UsesTheLedgerPageSize()
    {
        using (var store = SqliteLedgerStore.Open(_dir.File())) InitializeGenesis(store, Set("acct/a", "100"));

        Assert.Equal(8192, LedgerSchema.PageSize);
        Assert.Equal(LedgerSchema.PageSize, PageSizeOf(_dir.File()));
    }

    [Fact]
    public void Open_StoreWrittenWithFourKibPages_KeepsThemAndCommitsAsBefore()
    {
        // Stores created before the page size changed stay readable and writable with the pages they have.
        string path = _dir.File();
        using (var store = SqliteLedgerStore.Open(path))
        {
            InitializeGenesis(store, Set("acct/a", "100"));
            Next(store, [Set("acct/a", "90")]).CommitTo(store);
        }
        using (var raw = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            raw.Open();
            using var rewrite = raw.CreateCommand();
            rewrite.CommandText = "PRAGMA journal_mode = DELETE; PRAGMA page_size = 4096; VACUUM; PRAGMA journal_mode = WAL;";
            rewrite.ExecuteNonQuery();
        }
        Assert.Equal(4096, PageSizeOf(path));

        Hash32 appHash;
        using (var store = SqliteLedgerStore.Open(path))
        {
            Assert.Equal(1UL, store.Height);
            Assert.Equal("90", Encoding.UTF8.GetString(store.Get("acct/a")!));
            var block = Next(store, [Set("acct/a", "80"), Set("acct/b", "10")]);
            block.CommitTo(store);
            appHash = block.AppHash;
        }
        using var reopened = SqliteLedgerStore.Open(path);
        Assert.Equal(4096, PageSizeOf(path));
        Assert.Equal(2UL, reopened.Height);
        Assert.Equal(appHash, reopened.AppHash);
        Assert.Equal("10", Encoding.UTF8.GetString(reopened.Get("acct/b")!));
    }

    private static long PageSizeOf(string path)
    {
        using var raw = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        raw.Open();
        using var read = raw.CreateCommand();
        read.CommandText = "PRAGMA page_size";
        return (long)read.ExecuteScalar()!;
    }

    [Fact]
    public void GenesisThenCommits_ReopenResumesTipAndState()
    {
        Hash32 appHash, lastBlock;
        using (var store = SqliteLedgerStore.Open(_dir.File()))
        {
            InitializeGenesis(store, Set("acct/a", "100"), Set("acct/b", "200"));
            Assert.Equal(Genesis, store.GenesisHash);
            Assert.Equal(AppHash.Next(Hash32.Zero, [Set("acct/a", "100"), Set("acct/b", "200")]), store.AppHash);

            Next(store, [Set("acct/a", "90"), Set("acct/c", "10")]).CommitTo(store);
            var second = Next(store, [Delete("acct/b")]);
            second.CommitTo(store);
            Assert.Equal(2UL, store.Height);
            Assert.Equal(second.Hash, store.LastBlockHash);
            Assert.Equal(second.AppHash, store.AppHash);
            (appHash, lastBlock) = (store.AppHash, store.LastBlockHash);
        }

        using var reopened = SqliteLedgerStore.Open(_dir.File());
        Assert.Equal(Genesis, reopened.GenesisHash);
        Assert.Equal(2UL, reopened.Height);
        Assert.Equal(appHash, reopened.AppHash);
        Assert.Equal(lastBlock, reopened.LastBlockHash);
        Assert.Equal(["acct/a=90", "acct/c=10"], Dump(reopened.Scan("")));

        Next(reopened, [Set("acct/d", "1")]).CommitTo(reopened);
        Assert.Equal(3UL, reopened.Height);
    }

    [Fact]
    public void Scan_PrefixBoundaries_AreOrdinalAndExact()
    {
        using var store = SqliteLedgerStore.Open(_dir.File());
        // '/' is 0x2F and '0' is 0x30: "acct0" is the first key past every "acct/..." key, "acct." the last before.
        string[] keys = ["acc", "acct", "acct.", "acct/", "acct/a", "acct/b/c", "acct/~", "acct0", "acct00", "acctA", "b", "A", "~"];
        InitializeGenesis(store, keys.Order(StringComparer.Ordinal).Select(k => Set(k, k.ToUpperInvariant())).ToArray());

        Assert.Equal(["acct/=ACCT/", "acct/a=ACCT/A", "acct/b/c=ACCT/B/C", "acct/~=ACCT/~"], Dump(store.Scan("acct/")));
        Assert.Equal(["acct0=ACCT0", "acct00=ACCT00"], Dump(store.Scan("acct0")));
        Assert.Equal(["acct", "acct.", "acct/", "acct/a", "acct/b/c", "acct/~", "acct0", "acct00", "acctA"], store.Scan("acct").Select(kv => kv.Key));
        Assert.Equal(keys.Order(StringComparer.Ordinal), store.Scan("").Select(kv => kv.Key));
        Assert.Empty(store.Scan("acct/b/c/"));
        Assert.Empty(store.Scan("z"));
        Assert.Equal("ACCT/A", Encoding.UTF8.GetString(store.Get("acct/a")!));
        Assert.Null(store.Get("acct/c"));
    }

    [Theory]
    [InlineData("acct/", "acct0")]
    [InlineData("a", "b")]
    [InlineData("", null)]
    [InlineData("\U0010FFFF", null)]
    [InlineData("a\U0010FFFF", "b")]
    [InlineData("a\uD7FF", "a\uE000")]
    public void PrefixEnd_IsTheLeastStringPastThePrefix(string prefix, string? expected) =>
        Assert.Equal(expected, SqliteLedgerStore.PrefixEnd(prefix));

    [Fact]
    public void Scan_AcrossPages_ReturnsEveryKeyOnceInOrder_AndAllowsReadsInsideTheLoop()
    {
        using var store = SqliteLedgerStore.Open(_dir.File());
        var keys = Enumerable.Range(0, SqliteLedgerStore.ScanPageSize * 2 + 17).Select(i => "meter/" + StateKeys.Number((ulong)i)).ToArray();
        InitializeGenesis(store, [Set("contract/x", "outside"), .. keys.Select(k => Set(k, k))]);

        var seen = new List<string>();
        foreach (var (key, value) in store.Scan(StateKeys.MeterPrefix))
        {
            // A read (and a commit) inside the loop must not deadlock on the read lock.
            Assert.Equal(value, store.Get(key));
            seen.Add(key);
        }

        Assert.Equal(keys, seen);
    }

    [Fact]
    public void Delete_RemovesFromGetAndScan_AndIsLoggedAsNull()
    {
        using var store = SqliteLedgerStore.Open(_dir.File());
        InitializeGenesis(store, Set("offer/1", "a"), Set("offer/2", "b"));

        Next(store, [Delete("offer/1"), Delete("offer/9")]).CommitTo(store);

        Assert.Null(store.Get("offer/1"));
        Assert.Equal(["offer/2=b"], Dump(store.Scan("offer/")));
        Assert.Equal(Show([Delete("offer/1"), Delete("offer/9")]), Show(store.GetChanges(1)));
    }

    [Fact]
    public void EmptyValue_RoundTripsAsEmptyNotMissing()
    {
        // Index keys (contract-by-party/...) hold an empty value; it must not read back as "absent".
        using var store = SqliteLedgerStore.Open(_dir.File());
        InitializeGenesis(store, new StateChange("contract-by-party/a/1", []));

        Assert.Empty(Assert.IsType<byte[]>(store.Get("contract-by-party/a/1")));
        Assert.Empty(Assert.Single(store.Scan("contract-by-party/")).Value);
        Assert.Empty(Assert.IsType<byte[]>(Assert.Single(store.GetChanges(0)).Value));
    }

    [Fact]
    public void Blocks_Results_Changes_RoundTrip()
    {
        using var store = SqliteLedgerStore.Open(_dir.File());
        InitializeGenesis(store, Set("fees/current", "f"));
        byte[][] txs = [[1, 2, 3], [4, 5], [6]];
        var next = Next(store, [Set("acct/a", "1"), Delete("fees/current")], txs);
        next.CommitTo(store);

        Assert.Equal(next.Block, store.GetBlock(1));
        Assert.Null(store.GetBlock(0));
        Assert.Null(store.GetBlock(2));
        Assert.Null(store.GetBlock(ulong.MaxValue));
        Assert.Equal(next.Results, store.GetResults(1));
        Assert.Empty(store.GetResults(2));
        Assert.Equal(Show(next.Changes), Show(store.GetChanges(1)));
        Assert.Equal(Show([Set("fees/current", "f")]), Show(store.GetChanges(0)));
        Assert.Empty(store.GetChanges(5));

        var found = store.FindTransaction(TransactionId.Of(txs[1]));
        Assert.NotNull(found);
        Assert.Equal(1UL, found.Value.Height);
        Assert.Equal(next.Results[1], found.Value.Result);
        Assert.Null(store.FindTransaction(Keccak256.Hash("never committed"u8)));
    }

    [Theory]
    [InlineData(1)] // one byte
    [InlineData(200)] // under the old 512-byte stack buffer
    [InlineData(3_000)] // grows the per-thread buffer
    [InlineData(10_000)] // past the buffered limit: encoded on its own
    public void Text_NonAsciiKeysAndMessages_RoundTripByteExact_AtEveryLength(int length)
    {
        // SqliteText binds keys and messages as UTF-8 from a reused per-thread buffer sized for the worst case; a key
        // bound with stale bytes of a longer earlier key, or cut short, would store (and scan) a different key.
        using var store = SqliteLedgerStore.Open(_dir.File());
        InitializeGenesis(store);
        string key = "meter/" + string.Concat(Enumerable.Repeat("é€😀a", length / 4 + 1))[..length];
        if (char.IsHighSurrogate(key[^1])) key = key[..^1] + "z";
        var next = Next(store, [Set("acct/" + new string('x', 40), "long first"), Set(key, "v")], [1, 2]);
        next.Results[0].Message = "délai dépassé " + key;
        next.CommitTo(store);

        Assert.Equal("v", Encoding.UTF8.GetString(store.Get(key)!));
        Assert.Equal(key, Assert.Single(store.Scan("meter/")).Key);
        Assert.Equal(next.Results[0].Message, store.FindTransaction(TransactionId.Of([1, 2]))!.Value.Result.Message);
        Assert.Null(store.Get(key[..^1]));
    }

    [Fact]
    public void Commit_OfMoreThanAThousandPages_StaysInTheWal_UntilTheCheckpointThreshold()
    {
        // SQLite's default checkpointed at 1,000 WAL pages: a block this size was copied into the main file (and the
        // file fsynced) inside its own commit. Below CheckpointPages the main file does not change; the block is durable
        // in the fsynced WAL and readable at once, and closing the store checkpoints it into the main file.
        string path = _dir.File();
        var value = new string('v', 3_000);
        var changes = Enumerable.Range(0, 2_000).Select(i => Set($"meter/{i:D6}", value)).ToArray(); // ≈ 6 MB, ≈ 1,500 pages
        Assert.True(1_500 < SqliteLedgerStore.CheckpointPages);
        NextBlock block;
        using (var store = SqliteLedgerStore.Open(path))
        {
            InitializeGenesis(store);
            long before = new FileInfo(path).Length;
            block = Next(store, changes);
            block.CommitTo(store);

            Assert.Equal(before, new FileInfo(path).Length);
            Assert.True(new FileInfo(path + "-wal").Length > 6_000_000);
            Assert.Equal(value, Encoding.UTF8.GetString(store.Get("meter/001999")!));
        }
        using var reopened = SqliteLedgerStore.Open(path);
        Assert.Equal(block.AppHash, reopened.AppHash);
        Assert.Equal(2_000, reopened.Scan("meter/").Count());
    }

    [Fact]
    public void FindTransaction_SameEnvelopeInALaterBlock_AnswersWithTheFirst()
    {
        using var store = SqliteLedgerStore.Open(_dir.File());
        InitializeGenesis(store);
        byte[] tx = [9, 9, 9];
        var first = Next(store, [], tx);
        first.CommitTo(store);
        var replay = Next(store, [], tx);
        replay.Results[0].Code = "NONCE_REUSED";
        replay.CommitTo(store);

        var found = store.FindTransaction(TransactionId.Of(tx))!.Value;
        Assert.Equal(1UL, found.Height);
        Assert.Equal("OK", found.Result.Code);
        Assert.Equal("NONCE_REUSED", Assert.Single(store.GetResults(2)).Code);
    }

    [Fact]
    public async Task ReadsDuringCommits_SeeOnlyWholeBlocks()
    {
        // Every block sets both keys to its height; a reader must never see them differ, and must never fail.
        using var store = SqliteLedgerStore.Open(_dir.File());
        InitializeGenesis(store, Set("pair/a", "0"), Set("pair/b", "0"));
        using var stop = new CancellationTokenSource();
        var reading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reader = Task.Run(() =>
        {
            int reads = 0;
            while (!stop.IsCancellationRequested)
            {
                var pair = store.Scan("pair/").Select(kv => Encoding.UTF8.GetString(kv.Value)).ToList();
                Assert.Equal(pair[0], pair[1]);
                Assert.NotNull(store.Get("pair/a"));
                reads++;
                reading.TrySetResult();
            }
            return reads;
        });

        await Task.WhenAny(reading.Task, reader);
        for (int h = 1; h <= 40; h++) Next(store, [Set("pair/a", h.ToString()), Set("pair/b", h.ToString())]).CommitTo(store);
        stop.Cancel();

        Assert.True(await reader > 0);
        Assert.Equal("40", Encoding.UTF8.GetString(store.Get("pair/b")!));
    }

    [Fact]
    public void AfterDispose_EveryCallThrowsObjectDisposed()
    {
        var store = SqliteLedgerStore.Open(_dir.File());
        InitializeGenesis(store);
        store.Dispose();
        store.Dispose();

        Assert.Throws<ObjectDisposedException>(() => store.Get("k"));
        Assert.Throws<ObjectDisposedException>(() => store.Scan(""));
        Assert.Throws<ObjectDisposedException>(() => store.Height);
        Assert.Throws<ObjectDisposedException>(() => store.AppHash);
        Assert.Throws<ObjectDisposedException>(() => store.GenesisHash);
        Assert.Throws<ObjectDisposedException>(() => store.GetBlock(1));
        Assert.Throws<ObjectDisposedException>(() => store.GetResults(1));
        Assert.Throws<ObjectDisposedException>(() => store.GetChanges(0));
        Assert.Throws<ObjectDisposedException>(() => store.FindTransaction(Hash32.Zero));
        Assert.Throws<ObjectDisposedException>(() => store.InitializeGenesis(Genesis, [], Hash32.Zero));
    }

    private static string[] Dump(IEnumerable<KeyValuePair<string, byte[]>> rows) =>
        rows.Select(kv => kv.Key + "=" + Encoding.UTF8.GetString(kv.Value)).ToArray();
}
