using P2PEnergy.Node.Storage;

namespace P2PEnergy.Node.Tests.Storage;

public sealed class MembershipFilterTests
{
    [Fact]
    public void EveryAddedKey_TestsPresent_AcrossGrownLayers()
    {
        var filter = new MembershipFilter(initialCapacity: 1024);
        var keys = Enumerable.Range(0, 50_000).Select(i => "contract/0x" + i.ToString("x64")).ToArray();
        foreach (var key in keys) filter.Add(key);
        Assert.All(keys, key => Assert.True(filter.MayContain(key)));
        var ids = Enumerable.Range(0, 20_000).Select(i => System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i))).ToArray();
        foreach (var id in ids) filter.Add(id);
        Assert.All(ids, id => Assert.True(filter.MayContain(id)));
    }

    [Fact]
    public void FalsePositives_StayNearOnePercent()
    {
        var filter = new MembershipFilter(initialCapacity: 100_000);
        for (int i = 0; i < 100_000; i++) filter.Add("acct/0x" + i.ToString("x40"));
        int falsePositives = Enumerable.Range(100_000, 100_000).Count(i => filter.MayContain("acct/0x" + i.ToString("x40")));
        Assert.InRange(falsePositives, 0, 2_000); // 10 bits and 7 probes per key: ~0.8 % expected
    }

    [Fact]
    public void FalsePositives_StayNearOnePercent_InEveryGrownLayer()
    {
        // Blocked (all of a key's bits in one 512-bit block): ≈1.1 % per full layer. Three layers each near capacity
        // answer "maybe" for an absent key if any layer does, so ≈3 % at most.
        var filter = new MembershipFilter(initialCapacity: 20_000);
        for (int i = 0; i < 140_000; i++) filter.Add("contract/0x" + i.ToString("x64"));
        int falsePositives = Enumerable.Range(140_000, 100_000).Count(i => filter.MayContain("contract/0x" + i.ToString("x64")));
        Assert.InRange(falsePositives, 0, 3_500);
    }

    [Fact]
    public void Hash_DependsOnEveryByteAndTheLength()
    {
        // Keys share long prefixes and differ in their last characters (nonces, positions); a hash that skipped the
        // tail after the last whole 8-byte word would send them all to one block and raise false positives.
        var bytes = new byte[23];
        var seen = new HashSet<ulong> { MembershipFilter.Hash(bytes) };
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = 1;
            Assert.True(seen.Add(MembershipFilter.Hash(bytes)), $"flipping byte {i} did not change the hash");
            bytes[i] = 0;
        }
        for (int length = 0; length < bytes.Length; length++)
            Assert.True(seen.Add(MembershipFilter.Hash(bytes.AsSpan(0, length))), $"zero bytes of length {length} hash like another length");
    }

    [Fact]
    public void RewritingExistingKeys_DoesNotGrowTheFilter()
    {
        var filter = new MembershipFilter(initialCapacity: 1024);
        for (int round = 0; round < 50; round++)
            for (int i = 0; i < 1_000; i++) filter.Add("acct/" + i);
        Assert.InRange(filter.Count, 900, 1_000); // each key counted once (a few new keys may already test present)
        Assert.Equal(new MembershipFilter(initialCapacity: 1024).Bytes, filter.Bytes);
    }
}

public sealed class MembershipFilterConcurrencyTests
{
    [Fact]
    public async Task ConcurrentReaders_NeverMissAKeyAddedBeforeTheyLooked()
    {
        var filter = new MembershipFilter(initialCapacity: 1024);
        var ids = Enumerable.Range(0, 200_000).Select(i => System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i))).ToArray();
        int published = 0, misses = 0;
        var writer = Task.Run(() =>
        {
            for (int i = 0; i < ids.Length; i++)
            {
                filter.Add(ids[i]);
                Volatile.Write(ref published, i + 1);
            }
        });
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            var random = new Random(r);
            while (!writer.IsCompleted)
            {
                int n = Volatile.Read(ref published);
                if (n == 0) continue;
                if (!filter.MayContain(ids[random.Next(n)])) Interlocked.Increment(ref misses);
            }
        })).ToArray();
        await Task.WhenAll([writer, .. readers]);
        Assert.Equal(0, misses);
    }
}
