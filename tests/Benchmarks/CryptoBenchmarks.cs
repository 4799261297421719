using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Benchmarks;

/// <summary>
/// secp256k1 sign / recover / verify on both backends, and keccak256 over 1 MiB. Native recover is the baseline:
/// every node recovers each transaction's signers, so it is the ceiling the other numbers are read against.
/// The native benchmarks are filtered out (with a note) when libsecp256k1 does not load.
/// </summary>
[Config(typeof(Config))]
public class CryptoBenchmarks
{
    private static readonly NativeSecp256k1? Native = Secp256k1.TryNative(out NativeMissingReason);
    private static readonly string NativeMissingReason;

    private readonly ManagedSecp256k1 _managed = new();
    private readonly byte[] _privateKey = Hex.Decode("289c2857d4598e37fb9647507e47a309d6133539bf21a8b9cb6df88fd5232032", 32);
    private readonly Hash32 _digest = Keccak256.Hash("P2PEnergy benchmark digest"u8);
    private readonly byte[] _mebibyte = RandomNumberGenerator.GetBytes(1 << 20);
    private byte[] _publicKey = [];
    private Signature _signature = null!;

    [GlobalSetup]
    public void Setup()
    {
        _publicKey = _managed.PublicKey(_privateKey);
        _signature = _managed.Sign(_digest.Bytes, _privateKey);
        if (Native is not null && !Native.Sign(_digest.Bytes, _privateKey).Equals(_signature))
            throw new InvalidOperationException("native and managed signatures differ; benchmarks would compare different work");
    }

    [Benchmark]
    public Signature NativeSign() => Native!.Sign(_digest.Bytes, _privateKey);

    [Benchmark(Baseline = true)]
    public Address NativeRecover() => Signer.Recover(_digest, _signature, Native);

    [Benchmark]
    public bool NativeVerify() => Native!.Verify(_digest.Bytes, _signature, _publicKey);

    [Benchmark]
    public Signature ManagedSign() => _managed.Sign(_digest.Bytes, _privateKey);

    [Benchmark]
    public Address ManagedRecover() => Signer.Recover(_digest, _signature, _managed);

    [Benchmark]
    public bool ManagedVerify() => _managed.Verify(_digest.Bytes, _signature, _publicKey);

    [Benchmark, BytesPerOperation(1 << 20)]
    public Hash32 Keccak256_1MiB() => Keccak256.Hash(_mebibyte);

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddColumn(ThroughputColumn.OpsPerSecond, ThroughputColumn.MegabytesPerSecond);
            if (Native is null)
            {
                Console.WriteLine($"// native secp256k1 benchmarks skipped: {NativeMissingReason}");
                AddFilter(new SimpleFilter(b => !b.Descriptor.WorkloadMethod.Name.StartsWith("Native", StringComparison.Ordinal)));
            }
        }
    }
}
