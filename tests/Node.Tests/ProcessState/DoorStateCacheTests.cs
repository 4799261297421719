using P2PEnergy.Node.ProcessState;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Tests.ProcessState;

/// <summary>
/// The mempool door's state cache: a key is read from the store once per height (the door read every party of every
/// submission from SQLite), never older than the height seen before the read, and bounded.
/// </summary>
public class DoorStateCacheTests
{
    /// <summary>A state that counts its point reads.</summary>
    private sealed class CountingState : IStateReader
    {
        public MemoryState State { get; } = new();
        public int Reads;
        public byte[]? Get(string key) { Reads++; return State.Get(key); }
        public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix) => State.Scan(prefix);
        public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix, string from) => State.Scan(prefix, from);
    }

    [Fact]
    public void AKey_IsReadOncePerHeight_AndAfreshWhenTheHeightMoves()
    {
        var store = new CountingState();
        store.State.Apply([new("account/a", [1])]);
        ulong height = 5;
        var cache = new DoorStateCache(store, () => height);
        Assert.Equal([1], cache.Get("account/a"));
        Assert.Equal([1], cache.Get("account/a"));
        Assert.Null(cache.Get("account/b"));
        Assert.Null(cache.Get("account/b"));
        Assert.Equal(2, store.Reads);

        // Block 6 commits: a changes, b is admitted.
        store.State.Apply([new("account/a", [2]), new("account/b", [3])]);
        height = 6;
        Assert.Equal([2], cache.Get("account/a"));
        Assert.Equal([3], cache.Get("account/b"));
        Assert.Equal(4, store.Reads);
    }

    [Fact]
    public void AFullGeneration_StartsAfresh_AndStaysCorrect()
    {
        var store = new CountingState();
        store.State.Apply(Enumerable.Range(0, 10).Select(i => new StateChange($"k{i}", [(byte)i])).ToList());
        var cache = new DoorStateCache(store, () => 1, capacity: 3);
        for (int round = 0; round < 2; round++)
            for (int i = 0; i < 10; i++) Assert.Equal(new[] { (byte)i }, cache.Get($"k{i}"));
        Assert.Equal(20, store.Reads); // three fit, the fourth starts afresh: nothing is served from a full generation's overflow
    }

    [Fact]
    public async Task ConcurrentReaders_AllSeeTheCommittedValue()
    {
        var store = new MemoryState();
        store.Apply(Enumerable.Range(0, 100).Select(i => new StateChange($"k{i}", [(byte)i])).ToList());
        var cache = new DoorStateCache(store, () => 1);
        var readers = Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (int n = 0; n < 10_000; n++)
            {
                int i = (n * 7 + t) % 100;
                Assert.Equal(new[] { (byte)i }, cache.Get($"k{i}"));
            }
        }));
        await Task.WhenAll(readers);
    }
}
