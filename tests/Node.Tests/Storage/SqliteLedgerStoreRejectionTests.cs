using Google.Protobuf;
using Microsoft.Data.Sqlite;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Storage;
using static P2PEnergy.Node.Tests.Storage.TestChain;

namespace P2PEnergy.Node.Tests.Storage;

/// <summary>What the store refuses — bad blocks, double genesis, foreign files — and that a refusal writes nothing.</summary>
public sealed class SqliteLedgerStoreRejectionTests : IDisposable
{
    private readonly TemporaryDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void WrongHeight_IsRejected_AndNothingIsWritten()
    {
        using var store = StoreAtHeightOne();
        var next = Next(store, [Set("acct/new", "1")]);
        var bad = Rehash(next, header => header.Height = 3);

        var e = Assert.Throws<LedgerStoreException>(() => bad.CommitTo(store));

        Assert.Equal(LedgerStoreError.HeightMismatch, e.Error);
        Assert.Contains("expected 2", e.Message);
        Assert.Contains("height 3", e.Message);
        AssertStillAtHeightOne(store);
    }

    [Fact]
    public void WrongPreviousHash_IsRejected_AndNothingIsWritten()
    {
        using var store = StoreAtHeightOne();
        var bad = Rehash(Next(store, [Set("acct/new", "1")]), header => header.PreviousHash = ByteString.CopyFrom(new byte[32]));

        var e = Assert.Throws<LedgerStoreException>(() => bad.CommitTo(store));

        Assert.Equal(LedgerStoreError.PreviousHashMismatch, e.Error);
        Assert.Contains(store.LastBlockHash.ToString(), e.Message);
        AssertStillAtHeightOne(store);
    }

    [Theory]
    [InlineData("acct/b", "acct/a")]
    [InlineData("acct/a", "acct/a")]
    [InlineData("acct0", "acct/")]
    public void UnsortedOrDuplicateChanges_AreRejected_AndNothingIsWritten(string first, string second)
    {
        using var store = StoreAtHeightOne();
        var next = Next(store, []);
        var bad = next with { Changes = [Set(first, "x"), Set(second, "y")] };

        var e = Assert.Throws<LedgerStoreException>(() => bad.CommitTo(store));

        Assert.Equal(LedgerStoreError.ChangesNotSorted, e.Error);
        Assert.Contains($"'{first}' comes before change 1 '{second}'", e.Message);
        AssertStillAtHeightOne(store);
    }

    [Fact]
    public void HeaderAppHashOtherThanTheCommittedOne_IsRejected()
    {
        using var store = StoreAtHeightOne();
        var bad = Next(store, [Set("acct/new", "1")]) with { AppHash = Keccak256.Hash("other"u8) };

        Assert.Equal(LedgerStoreError.AppHashMismatch, Assert.Throws<LedgerStoreException>(() => bad.CommitTo(store)).Error);
        AssertStillAtHeightOne(store);
    }

    [Fact]
    public void BlockHashNotOfTheHeader_IsRejected()
    {
        using var store = StoreAtHeightOne();
        var bad = Next(store, [Set("acct/new", "1")]) with { Hash = Keccak256.Hash("other"u8) };

        Assert.Equal(LedgerStoreError.BlockHashMismatch, Assert.Throws<LedgerStoreException>(() => bad.CommitTo(store)).Error);
        AssertStillAtHeightOne(store);
    }

    [Fact]
    public void ResultCountOtherThanTransactionCount_IsRejected()
    {
        using var store = StoreAtHeightOne();
        var next = Next(store, [Set("acct/new", "1")], [1], [2]);
        var bad = next with { Results = next.Results.Take(1).ToList() };

        var e = Assert.Throws<LedgerStoreException>(() => bad.CommitTo(store));

        Assert.Equal(LedgerStoreError.ResultsMismatch, e.Error);
        Assert.Contains("2 transactions but 1 results", e.Message);
        AssertStillAtHeightOne(store);
    }

    [Fact]
    public void FailureInsideTheSqlTransaction_RollsBackEverything_AndTheTipStays()
    {
        using var store = StoreAtHeightOne();
        // A trigger in the file makes SQLite fail half way through the block, after the block row, the results and
        // the first state change have been written.
        RawExecute("CREATE TRIGGER refuse BEFORE INSERT ON state WHEN NEW.key = 'boom' BEGIN SELECT RAISE(ABORT, 'refused'); END;");
        var next = Next(store, [Set("acct/new", "1"), Set("boom", "2")], [7]);

        Assert.Throws<SqliteException>(() => next.CommitTo(store));
        AssertStillAtHeightOne(store);
        Assert.Null(store.FindTransaction(TransactionId.Of([7])));

        RawExecute("DROP TRIGGER refuse;");
        next.CommitTo(store);
        Assert.Equal(2UL, store.Height);
        Assert.NotNull(store.Get("boom"));
    }

    [Fact]
    public void SecondGenesis_IsRejected()
    {
        using var store = SqliteLedgerStore.Open(_dir.File());
        InitializeGenesis(store, Set("acct/a", "1"));

        var e = Assert.Throws<LedgerStoreException>(() => store.InitializeGenesis(Keccak256.Hash("other"u8), [Set("acct/b", "2")], Hash32.Zero));

        Assert.Equal(LedgerStoreError.GenesisState, e.Error);
        Assert.Equal(Genesis, store.GenesisHash);
        Assert.Null(store.Get("acct/b"));
    }

    [Fact]
    public void GenesisOnAReopenedChain_IsRejected()
    {
        using (var store = SqliteLedgerStore.Open(_dir.File())) InitializeGenesis(store);
        using var reopened = SqliteLedgerStore.Open(_dir.File());

        Assert.Equal(LedgerStoreError.GenesisState, Assert.Throws<LedgerStoreException>(() => InitializeGenesis(reopened)).Error);
    }

    [Fact]
    public void CommitBeforeGenesis_IsRejected()
    {
        using var store = SqliteLedgerStore.Open(_dir.File());

        Assert.Equal(LedgerStoreError.GenesisState, Assert.Throws<LedgerStoreException>(() => Next(store, []).CommitTo(store)).Error);
    }

    [Fact]
    public void UnknownSchemaVersion_IsRejected()
    {
        using (var store = SqliteLedgerStore.Open(_dir.File())) InitializeGenesis(store);
        RawExecute("UPDATE store_info SET schema_version = 99;");

        var e = Assert.Throws<LedgerStoreException>(() => SqliteLedgerStore.Open(_dir.File()));

        Assert.Equal(LedgerStoreError.UnknownSchemaVersion, e.Error);
        Assert.Contains("version 99", e.Message);
    }

    [Fact]
    public void SchemaVersion2_WithTheOlderStateKeys_IsRejected_NamingBothVersions()
    {
        using (var store = SqliteLedgerStore.Open(_dir.File())) InitializeGenesis(store);
        RawExecute("UPDATE store_info SET schema_version = 2;");

        var e = Assert.Throws<LedgerStoreException>(() => SqliteLedgerStore.Open(_dir.File()));

        Assert.Equal(LedgerStoreError.UnknownSchemaVersion, e.Error);
        Assert.Contains("schema version 2", e.Message);
        Assert.Contains($"reads version {LedgerSchema.Version}", e.Message);
    }

    [Fact]
    public void ForeignSqliteDatabase_IsRejected_AndLeftAlone()
    {
        RawExecute("CREATE TABLE wallet (id INTEGER);");

        var e = Assert.Throws<LedgerStoreException>(() => SqliteLedgerStore.Open(_dir.File()));

        Assert.Equal(LedgerStoreError.NotALedgerStore, e.Error);
        Assert.Equal("delete", RawScalar("PRAGMA journal_mode;"));
    }

    [Fact]
    public void FileThatIsNotSqlite_IsRejected()
    {
        File.WriteAllText(_dir.File(), new string('x', 4096));

        var e = Assert.Throws<LedgerStoreException>(() => SqliteLedgerStore.Open(_dir.File()));

        Assert.Equal(LedgerStoreError.NotALedgerStore, e.Error);
        Assert.Contains("not a SQLite database", e.Message);
    }

    private SqliteLedgerStore StoreAtHeightOne()
    {
        var store = SqliteLedgerStore.Open(_dir.File());
        InitializeGenesis(store, Set("acct/a", "100"));
        Next(store, [Set("acct/a", "50"), Set("acct/b", "50")], [1, 1]).CommitTo(store);
        return store;
    }

    /// <summary>The state <see cref="StoreAtHeightOne"/> left, in memory and — through a second store on the file — on disk.</summary>
    private void AssertStillAtHeightOne(SqliteLedgerStore store)
    {
        using var fromFile = SqliteLedgerStore.Open(_dir.File());
        var block = store.GetBlock(1)!;
        foreach (var s in new[] { store, fromFile })
        {
            Assert.Equal(1UL, s.Height);
            Assert.Equal(BlockHeaderHashing.Hash(block.Header), s.LastBlockHash);
            Assert.Equal(Hash32.FromBytes(block.Header.AppHash.Span), s.AppHash);
            Assert.Null(s.GetBlock(2));
            Assert.Empty(s.GetResults(2));
            Assert.Empty(s.GetChanges(2));
            Assert.Equal(["acct/a", "acct/b"], s.Scan("").Select(kv => kv.Key));
            Assert.Equal("50"u8.ToArray(), s.Get("acct/a"));
        }
    }

    private static TestChain.NextBlock Rehash(TestChain.NextBlock next, Action<BlockHeader> change)
    {
        var block = next.Block.Clone();
        change(block.Header);
        return next with { Block = block, Hash = BlockHeaderHashing.Hash(block.Header) };
    }

    private void RawExecute(string sql)
    {
        using var connection = RawConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private object? RawScalar(string sql)
    {
        using var connection = RawConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private SqliteConnection RawConnection()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _dir.File(), Pooling = false }.ToString());
        connection.Open();
        return connection;
    }
}
