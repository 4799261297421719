namespace P2PEnergy.Node.Tests.Consensus.Simulation;

/// <summary>
/// The simulation's one source of randomness: xoshiro256** seeded through SplitMix64, written here so a seed replays
/// the same run on any .NET version (System.Random's algorithm is not a contract). Sub-streams are forked from it.
/// </summary>
public sealed class SimRandom
{
    private ulong _s0, _s1, _s2, _s3;

    public SimRandom(ulong seed)
    {
        _s0 = SplitMix(ref seed);
        _s1 = SplitMix(ref seed);
        _s2 = SplitMix(ref seed);
        _s3 = SplitMix(ref seed);
    }

    public ulong NextULong()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, <paramref name="maxExclusive"/>).</summary>
    public int Next(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (int)(NextULong() % (ulong)maxExclusive);
    }

    /// <summary>Uniform in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public long Between(long min, long max) => min + (long)(NextULong() % (ulong)(max - min + 1));

    /// <summary>True with probability <paramref name="permille"/> / 1000.</summary>
    public bool Chance(int permille) => permille > 0 && Next(1000) < permille;

    public byte[] Bytes(int count)
    {
        var bytes = new byte[count];
        for (int i = 0; i < count; i++) bytes[i] = (byte)NextULong();
        return bytes;
    }

    /// <summary>An independent stream derived from this one.</summary>
    public SimRandom Fork() => new(NextULong());

    private static ulong SplitMix(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
