using FsCheck;
using FsCheck.Fluent;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Storage;
using static P2PEnergy.Node.Tests.Storage.TestChain;

namespace P2PEnergy.Node.Tests.Storage;

/// <summary>The state table against a dictionary model, over random histories of blocks.</summary>
public sealed class SqliteLedgerStorePropertyTests
{
    // Few distinct keys, several sharing prefixes ("a/" vs "a0"), so blocks overwrite and delete each other's keys.
    private static readonly Gen<string> Key =
        from prefix in Gen.Elements("a/", "a0", "acct/", "b", "")
        from n in Gen.Choose(0, 12)
        select prefix + n.ToString("D2", System.Globalization.CultureInfo.InvariantCulture);

    private static readonly Gen<byte[]?> Value = Gen.Frequency(
        (1, Gen.Constant<byte[]?>(null)),
        (4, Gen.Choose(0, 6).SelectMany(length => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), length)).Select(v => (byte[]?)v)));

    /// <summary>A block's writes: random, then made what the executor hands over — one per key, in ordinal order.</summary>
    private static readonly Gen<StateChange[]> ChangeSet =
        Gen.ListOf(Key.SelectMany(k => Value.Select(v => new StateChange(k, v))))
            .Select(writes => writes
                .GroupBy(w => w.Key, StringComparer.Ordinal)
                .Select(g => g.Last())
                .OrderBy(w => w.Key, StringComparer.Ordinal)
                .ToArray());

    private static readonly Gen<StateChange[][]> History =
        Gen.Choose(1, 8).SelectMany(blocks => Gen.ArrayOf(ChangeSet, blocks));

    [Fact]
    public void CommittedChangeSets_LeaveTheStateTableEqualToADictionaryModel()
    {
        var property = Prop.ForAll(Arb.From(History), history =>
        {
            using var dir = new TemporaryDirectory();
            var model = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            using (var store = SqliteLedgerStore.Open(dir.File()))
            {
                InitializeGenesis(store);
                foreach (var changes in history)
                {
                    Next(store, changes).CommitTo(store);
                    foreach (var (key, value) in changes)
                    {
                        if (value is null) model.Remove(key); else model[key] = value;
                    }
                    if (!Matches(store, model)) return false;
                }
            }
            using var reopened = SqliteLedgerStore.Open(dir.File());
            return reopened.Height == (ulong)history.Length && Matches(reopened, model);
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(40), property);
    }

    private static bool Matches(SqliteLedgerStore store, Dictionary<string, byte[]> model)
    {
        var expected = model.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        var scanned = store.Scan("").ToList();
        bool scanMatches = scanned.Count == expected.Count
            && scanned.Zip(expected).All(p => p.First.Key == p.Second.Key && p.First.Value.AsSpan().SequenceEqual(p.Second.Value));
        bool prefixMatches = new[] { "a/", "a0", "acct/", "b" }.All(prefix =>
            store.Scan(prefix).Select(kv => kv.Key).SequenceEqual(expected.Select(kv => kv.Key).Where(k => k.StartsWith(prefix, StringComparison.Ordinal))));
        bool getsMatch = expected.All(kv => store.Get(kv.Key) is { } value && value.AsSpan().SequenceEqual(kv.Value));
        return scanMatches && prefixMatches && getsMatch;
    }
}
