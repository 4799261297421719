using System.Text;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.ProcessState;
using P2PEnergy.Node.Storage;
using P2PEnergy.Node.Tests.Storage;
using static P2PEnergy.Node.Tests.Storage.TestChain;

namespace P2PEnergy.Node.Tests.Ledger;

/// <summary>
/// IStateReader.Scan(prefix, from): the keys with the prefix that are ordinally ≥ from, in order — the same answer from
/// every reader (memory, SQLite across pages, overlays over either with their own sets and deletes).
/// </summary>
public sealed class RangeScanTests : IDisposable
{
    private readonly TemporaryDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void RangeScan_EveryReader_MatchesASortedModel()
    {
        var random = new Random(20261201);
        for (int round = 0; round < 12; round++)
        {
            // Keys over a tiny alphabet collide on prefixes and boundaries; enough of them to span SQLite pages.
            var committed = new SortedDictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < SqliteLedgerStore.ScanPageSize + 300; i++) committed[RandomKey(random)] = "c" + i;
            var memory = new MemoryState();
            memory.Apply(committed.Select(kv => Set(kv.Key, kv.Value)).ToList());
            using var store = SqliteLedgerStore.Open(_dir.File($"scan{round}.db"));
            InitializeGenesis(store, committed.Select(kv => Set(kv.Key, kv.Value)).ToArray());

            // Two overlay layers, each setting and deleting keys (some already committed, some new).
            var model = new SortedDictionary<string, string>(committed, StringComparer.Ordinal);
            var onMemory = new StateOverlay(memory);
            var onStore = new StateOverlay(new CommittedStateCache(store));
            var inner = new StateOverlay(onMemory);
            for (int i = 0; i < 400; i++)
            {
                var key = random.Next(3) == 0 ? committed.Keys.ElementAt(random.Next(committed.Count)) : RandomKey(random);
                // The lower layer first, then the inner one, whose writes shadow it: the model is "last write wins".
                var layer = i < 200 ? onMemory : inner;
                if (random.Next(4) == 0)
                {
                    layer.Delete(key);
                    onStore.Delete(key);
                    model.Remove(key);
                }
                else
                {
                    layer.Set(key, Encoding.UTF8.GetBytes("w" + i));
                    onStore.Set(key, Encoding.UTF8.GetBytes("w" + i));
                    model[key] = "w" + i;
                }
                if (i % 50 == 0) Check(random, model, committed, memory, store, onStore, inner);
            }
            Check(random, model, committed, memory, store, onStore, inner);
        }
    }

    private static void Check(Random random, SortedDictionary<string, string> model, SortedDictionary<string, string> committed,
        MemoryState memory, SqliteLedgerStore store, StateOverlay onStore, StateOverlay inner)
    {
        for (int q = 0; q < 40; q++)
        {
            var sample = RandomKey(random);
            string prefix = sample[..Math.Min(sample.Length, random.Next(0, 3))];
            string from = random.Next(5) == 0 ? "" : RandomKey(random);
            Assert.Equal(Expected(committed, prefix, from), Dump(memory.Scan(prefix, from)));
            Assert.Equal(Expected(committed, prefix, from), Dump(store.Scan(prefix, from)));
            Assert.Equal(Expected(model, prefix, from), Dump(onStore.Scan(prefix, from)));
            Assert.Equal(Expected(model, prefix, from), Dump(inner.Scan(prefix, from)));
            Assert.Equal(Expected(model, prefix, prefix), Dump(inner.Scan(prefix)));
        }
    }

    [Fact]
    public void RangeScan_FromPastThePrefix_IsEmpty_AndFromBeforeItIsThePrefixScan()
    {
        var memory = new MemoryState();
        memory.Apply([Set("a/1", "1"), Set("a/2", "2"), Set("b/1", "3")]);
        var overlay = new StateOverlay(memory);
        overlay.Set("a/3", "4"u8.ToArray());
        Assert.Empty(overlay.Scan("a/", "b"));
        Assert.Empty(memory.Scan("a/", "a/9"));
        Assert.Equal(["a/1=1", "a/2=2", "a/3=4"], Dump(overlay.Scan("a/", "")));
        Assert.Equal(["a/2=2", "a/3=4"], Dump(overlay.Scan("a/", "a/2")));
        Assert.Equal(["a/3=4"], Dump(overlay.Scan("a/", "a/2\0")));
    }

    [Fact]
    public void OverlayScan_IsASnapshot_WritesDuringTheWalkDoNotDisturbIt()
    {
        var overlay = new StateOverlay(new MemoryState());
        foreach (var k in new[] { "k/1", "k/3", "k/5" }) overlay.Set(k, [1]);
        var seen = new List<string>();
        foreach (var (key, _) in overlay.Scan("k/"))
        {
            seen.Add(key);
            overlay.Set(key + "x", [2]); // new keys sort right after the current one
        }
        Assert.Equal(["k/1", "k/3", "k/5"], seen);
        Assert.Equal(["k/1", "k/1x", "k/3", "k/3x", "k/5", "k/5x"], overlay.Changes().Select(c => c.Key));
    }

    private static string RandomKey(Random random)
    {
        const string alphabet = "ab/0~";
        var chars = new char[random.Next(1, 7)];
        for (int i = 0; i < chars.Length; i++) chars[i] = alphabet[random.Next(alphabet.Length)];
        return new string(chars);
    }

    private static List<string> Expected(SortedDictionary<string, string> model, string prefix, string from)
        => model.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal) && string.CompareOrdinal(kv.Key, from) >= 0)
            .Select(kv => kv.Key + "=" + kv.Value).ToList();

    private static List<string> Dump(IEnumerable<KeyValuePair<string, byte[]>> rows) => rows.Select(kv => kv.Key + "=" + Encoding.UTF8.GetString(kv.Value)).ToList();
}
