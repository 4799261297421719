using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;

namespace P2PEnergy.Benchmarks;

/// <summary>The EIP-712 digest of an EnergyContract, hashed straight from the proto as the node does for every submission.</summary>
[Config(typeof(Config))]
public class LedgerTypedDataBenchmarks
{
    private readonly EnergyContract _contract = new()
    {
        Seller = ByteString.CopyFrom(Address.Parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed").Bytes),
        Buyer = ByteString.CopyFrom(Address.Parse("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359").Bytes),
        SellerMeter = "MTR-A", BuyerMeter = "MTR-B", IntervalStart = 1_795_000_500, IntervalCount = 4,
        WhPerInterval = 2_500, PricePerKwh = 180_000, Nonce = 1, ValidUntil = 1_795_000_000,
    };

    [GlobalSetup]
    public void Setup() => LedgerTypedData.Digest(_contract, 1); // fills the type and domain caches, as in a running node

    [Benchmark]
    public Hash32 EnergyContractDigest() => LedgerTypedData.Digest(_contract, 1);

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(ThroughputColumn.OpsPerSecond);
    }
}
