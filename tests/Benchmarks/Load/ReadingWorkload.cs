using System.Text.Json;
using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;

namespace P2PEnergy.Benchmarks.Load;

/// <summary>
/// Utility scale (issue 15): registered meters, each with its own device key, and device-signed MeterReadings — one per
/// meter and ended 5-minute interval, as a utility's meters report. The target is 3,400 readings/s sustained: 1M meters
/// reporting once per 5-minute window (1,000,000 / 300 s ≈ 3,333/s, rounded up).
/// </summary>
public sealed class ReadingWorkload(int meters) : LoadWorkload
{
    /// <summary>Readings per second a utility with 1M smart meters and a 5-minute reading window needs.</summary>
    public const int TargetPerSecond = 3_400;
    private const ulong IntervalSeconds = 300;
    /// <summary>Ended intervals a reading may be for: genesis is this many intervals back, the reading window a day.</summary>
    private const int IntervalsBack = 24;
    private const int Owners = 100;

    private readonly ulong _lastEnded = ((ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds() / IntervalSeconds - 1) * IntervalSeconds;
    private readonly PrivateKey[] _devices = Enumerable.Range(0, meters).Select(i => NodeUnderLoad.Key($"device-{i}")).ToArray();

    public override string Unit => "readings";
    public override int SignaturesPerTransaction => 1;

    public override string? Target(double rate, double ceiling) =>
        $"target          {rate / TargetPerSecond:P0} of {TargetPerSecond:N0} readings/s (1M meters, 5-minute window): {(rate >= TargetPerSecond ? "met" : "NOT met")}";

    /// <summary>
    /// Genesis <see cref="IntervalsBack"/> intervals ago with 5-minute intervals and a one-day reading window, so every
    /// reading's interval has ended, is after genesis, and no interval settles during the run.
    /// </summary>
    public override string GenesisJson(IReadOnlyList<string> validatorAddresses)
    {
        var genesisTime = DateTimeOffset.FromUnixTimeSeconds((long)(_lastEnded - (IntervalsBack - 1) * IntervalSeconds));
        var owners = Enumerable.Range(0, Owners).Select(i => NodeUnderLoad.Key($"household-{i}").Address.ToString()).ToArray();
        var genesis = new
        {
            chainId = NodeUnderLoad.ChainId, marketName = "readings load test", genesisTime = genesisTime.ToString("O"),
            intervalSeconds = IntervalSeconds, gateClosureSeconds = 60, readingWindowSeconds = 86_400, dsoModel = "IndependentDmo",
            utility = NodeUnderLoad.Key("utility").Address.ToString(), marketOperator = NodeUnderLoad.Key("operator").Address.ToString(),
            planner = NodeUnderLoad.Key("planner").Address.ToString(), regulator = NodeUnderLoad.Key("regulator").Address.ToString(),
            validators = validatorAddresses.Select(a => new { address = a, power = 1, endpoint = "" }).ToArray(),
            fees = new { dmoFixedPerContract = 10, dmoPerKwh = 1000, gridAcrossSubstationsPerKwh = 1000 },
            participants = owners.Select((address, i) => new { address, role = "Consumer", name = $"household-{i}", deposit = 0UL }).ToArray(),
            meters = _devices.Select((device, i) => new
            {
                meter = $"M{i:D7}", owner = owners[i % Owners], gridNode = $"SP-{i % Owners}", device = device.Address.ToString(),
                importLimitW = 20_000, exportLimitW = 10_000,
            }).ToArray(),
        };
        return JsonSerializer.Serialize(genesis);
    }

    public override int? Capacity => meters * IntervalsBack;

    /// <summary>Readings meter by meter, then interval by interval back from the last ended one; each signed by its meter's device key.</summary>
    public override byte[][] Sign(int count)
    {
        if (count > meters * IntervalsBack)
            throw new ArgumentException($"{count:N0} readings need more than {meters:N0} meters × {IntervalsBack} intervals; raise --meters");
        var envelopes = new byte[count][];
        Parallel.For(0, count, i =>
        {
            int meter = i % meters;
            var reading = new MeterReading
            {
                Meter = $"M{meter:D7}", IntervalStart = _lastEnded - (ulong)(i / meters) * IntervalSeconds,
                ImportWh = (ulong)(100 + i % 400), ExportWh = (ulong)(i % 50),
            };
            var tx = new Transaction { ChainId = NodeUnderLoad.ChainId, MeterReading = reading };
            tx.Signatures.Add(ByteString.CopyFrom(_devices[meter].Sign(LedgerTypedData.Digest(reading, NodeUnderLoad.ChainId)).Bytes));
            envelopes[i] = tx.ToByteArray();
        });
        return envelopes;
    }
}
