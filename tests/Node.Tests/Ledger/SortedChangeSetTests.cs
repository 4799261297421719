using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Storage;
using P2PEnergy.Node.Tests.Storage;

namespace P2PEnergy.Node.Tests.Ledger;

/// <summary>
/// An overlay's change set carries its encoding (SortedChangeSet): the app hash and the stored change log must be the
/// bytes a plain list of the same changes gives, so a cold replay from the log reproduces every app hash.
/// </summary>
public sealed class SortedChangeSetTests : IDisposable
{
    private readonly TemporaryDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static SortedChangeSet RandomChanges(int seed)
    {
        var random = new Random(seed);
        var overlay = new StateOverlay(new MemoryState());
        for (int i = 0; i < 500; i++)
        {
            string key = $"k/{random.Next(200)}/{(char)('a' + random.Next(26))}{(random.Next(10) == 0 ? "é" : "")}";
            if (random.Next(5) == 0) overlay.Delete(key);
            else overlay.Set(key, random.Next(8) == 0 ? [] : Enumerable.Range(0, random.Next(1, 40)).Select(_ => (byte)random.Next(256)).ToArray());
        }
        return overlay.Changes();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Encoded_IsTheEncodingOfTheSameChangesAsAPlainList(int seed)
    {
        var changes = RandomChanges(seed);
        var plain = changes.ToList();

        Assert.True(ChangeSetEncoding.Encode(plain).AsSpan().SequenceEqual(changes.Encoded), $"seed {seed}");
        Assert.Equal(TestChain.Show(plain), TestChain.Show(ChangeSetEncoding.Decode(changes.Encoded)));
    }

    [Theory]
    [InlineData(7)]
    [InlineData(8)]
    public void Changes_AreInStrictOrdinalOrder_WhetherOrNotAScanSortedMostKeysFirst(int seed)
    {
        // Two ways to the same list: a full sort of the pairs, or (after a scan) a merge of the few new keys.
        var random = new Random(seed);
        var fresh = new StateOverlay(new MemoryState());
        var scanned = new StateOverlay(new MemoryState());
        for (int i = 0; i < 300; i++)
        {
            string key = $"k/{random.Next(1000)}";
            byte[]? value = random.Next(4) == 0 ? null : [(byte)i];
            foreach (var overlay in new[] { fresh, scanned })
            {
                if (value is null) overlay.Delete(key); else overlay.Set(key, value);
                if (i == 250 && overlay == scanned) _ = overlay.Scan("k/").ToList();
            }
        }

        var expected = TestChain.Show(fresh.Changes());
        Assert.Equal(expected, TestChain.Show(scanned.Changes()));
        var keys = fresh.Changes().Select(c => c.Key).ToList();
        Assert.Equal(keys.Order(StringComparer.Ordinal), keys);
        Assert.Equal(keys.Count, keys.Distinct().Count());
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void AppHash_OfTheChangeSet_EqualsTheAppHashOfAPlainList(int seed)
    {
        var changes = RandomChanges(seed);
        var previous = Keccak256.Hash("previous"u8);
        TransactionResult[] results = [new() { TransactionId = Google.Protobuf.ByteString.CopyFrom(new byte[32]), Code = "OK" }];

        // Hashed twice from the set (the memo is then warm) and once from a plain copy (always encoded afresh).
        var fromSet = AppHash.Next(previous, changes, results);
        Assert.Equal(fromSet, AppHash.Next(previous, changes, results));
        Assert.Equal(fromSet, AppHash.Next(previous, changes.ToList(), results));
        Assert.Equal(AppHash.Next(previous, changes), AppHash.Next(previous, changes.ToList()));
    }

    [Fact]
    public void Store_KeepsTheSameChangeLog_FromASetAsFromAPlainList()
    {
        var changes = RandomChanges(6);
        using var warm = SqliteLedgerStore.Open(_dir.File("warm.db"));
        using var cold = SqliteLedgerStore.Open(_dir.File("cold.db"));
        foreach (var store in new[] { warm, cold }) store.InitializeGenesis(TestChain.Genesis, [TestChain.Set("fees/current", "f")], AppHash.Next(Hash32.Zero, [TestChain.Set("fees/current", "f")]));

        TestChain.Next(warm, changes).CommitTo(warm);
        TestChain.Next(cold, changes.ToList()).CommitTo(cold);

        Assert.Equal(TestChain.Show(changes), TestChain.Show(warm.GetChanges(1)));
        Assert.Equal(TestChain.Show(cold.GetChanges(1)), TestChain.Show(warm.GetChanges(1)));
        Assert.Equal(cold.AppHash, warm.AppHash);
        foreach (var change in changes) Assert.Equal(cold.Get(change.Key), warm.Get(change.Key));
    }
    private static SortedChangeSet Overlay(IEnumerable<string> keys)
    {
        var overlay = new StateOverlay(new MemoryState());
        int i = 0;
        foreach (var key in keys)
        {
            if (i % 5 == 4) overlay.Delete(key);
            else overlay.Set(key, Enumerable.Repeat((byte)i, i % 7).ToArray());
            i++;
        }
        return overlay.Changes();
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void AsciiKeys_SortInOrdinalOrder_EvenWhereTheyShareOrEndInsideTheFirst16Bytes(int seed)
    {
        // Keys shorter than 8 and 16 bytes, prefixes of one another, NUL and DEL, and long shared prefixes (one party's
        // index entries): the byte sort compares the first 16 bytes as integers and must agree with string order.
        var random = new Random(seed);
        var keys = new HashSet<string>(StringComparer.Ordinal) { "", "a", "a\0", "a\0\0", "ab", "abcdefgh", "abcdefgh\0", "abcdefghi", "\u007f", "nonce/0x1234567" };
        while (keys.Count < 2_000)
        {
            string stem = random.Next(3) switch { 0 => "party/0x0123456789abcdef0123456789abcdef01234567/", 1 => "p", _ => "nonce/0x12345678" };
            keys.Add(stem + new string(Enumerable.Range(0, random.Next(0, 20)).Select(_ => (char)random.Next(0, 128)).ToArray()));
        }
        var changes = Overlay(keys.OrderBy(_ => random.Next()));

        var sortedKeys = changes.Select(c => c.Key).ToList();
        Assert.Equal(keys.Order(StringComparer.Ordinal), sortedKeys);
        Assert.True(ChangeSetEncoding.Encode(changes.ToList()).AsSpan().SequenceEqual(changes.Encoded), $"seed {seed}");
    }

    [Fact]
    public void ANonAsciiKey_KeepsUtf16OrdinalOrder_WhereUtf8ByteOrderDiffers()
    {
        // U+FFFD is one UTF-16 unit above the surrogates of U+1F600 (ordinal: emoji first), but its UTF-8 bytes (EF …) sort
        // before the emoji's (F0 …): a byte sort would reorder the block's changes and change its app hash.
        string[] keys = ["m/\uFFFD", "m/\U0001F600", "m/a", "acct/0x00"];
        var changes = Overlay(keys);

        Assert.Equal(["acct/0x00", "m/a", "m/\U0001F600", "m/\uFFFD"], changes.Select(c => c.Key).ToArray());
        Assert.True(ChangeSetEncoding.Encode(changes.ToList()).AsSpan().SequenceEqual(changes.Encoded));
    }
}
