using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.ProcessState;

namespace P2PEnergy.Node.Tests.ProcessState;

public class CommittedStateCacheTests
{
    [Fact]
    public void Cache_ReadsThrough_ThenFollowsAppliedChanges_AbsenceIsNotCached()
    {
        var store = new MemoryState();
        store.Apply([new("a", [1])]);
        var cache = new CommittedStateCache(store);
        Assert.Equal([1], cache.Get("a"));
        Assert.Null(cache.Get("b"));
        Assert.Equal(1, cache.Count); // "b" was read through, not remembered
        var block = new StateChange[] { new("a", [2]), new("b", [3]) };
        store.Apply(block);
        Assert.Equal([1], cache.Get("a")); // not yet applied: still the committed value it saw
        cache.Apply(block);
        Assert.Equal([2], cache.Get("a"));
        Assert.Equal([3], cache.Get("b"));
        cache.Apply([new("a", null)]);
        store.Apply([new("a", null)]);
        Assert.Null(cache.Get("a"));
    }

    [Fact]
    public void Cache_WhenFull_EmptiesAndStaysCorrect()
    {
        var store = new MemoryState();
        store.Apply(Enumerable.Range(0, 10).Select(i => new StateChange($"k{i}", [(byte)i])).ToList());
        var cache = new CommittedStateCache(store, capacity: 3);
        for (int i = 0; i < 10; i++) Assert.Equal(new[] { (byte)i }, cache.Get($"k{i}"));
        Assert.True(cache.Count <= 3);
    }
}
