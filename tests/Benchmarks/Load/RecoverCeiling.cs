using System.Diagnostics;
using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Benchmarks.Load;

/// <summary>
/// The signature-recovery ceiling of this machine, measured in the same run as the load: native secp256k1
/// recoveries per second on all cores. A contract carries two signatures, so contracts/s can never exceed half of it.
/// </summary>
public static class RecoverCeiling
{
    public static double RecoversPerSecond(TimeSpan duration)
    {
        var secp = (ISecp256k1?)Secp256k1.TryNative(out _) ?? new ManagedSecp256k1();
        var key = PrivateKey.Parse("289c2857d4598e37fb9647507e47a309d6133539bf21a8b9cb6df88fd5232032");
        var samples = Enumerable.Range(0, 64).Select(i =>
        {
            var digest = Keccak256.Hash(BitConverter.GetBytes(i));
            return (Digest: digest.ToArray(), Signature: secp.Sign(digest.Bytes, key.Bytes));
        }).ToArray();
        long total = 0;
        var clock = Stopwatch.StartNew();
        Parallel.For(0, Environment.ProcessorCount, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, _ =>
        {
            long mine = 0;
            while (clock.Elapsed < duration)
            {
                var (digest, signature) = samples[mine % samples.Length];
                secp.RecoverPublicKey(digest, signature);
                mine++;
            }
            Interlocked.Add(ref total, mine);
        });
        return total / clock.Elapsed.TotalSeconds;
    }
}
