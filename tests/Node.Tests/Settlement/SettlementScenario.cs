using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Tests.Ledger;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Node.Tests.Settlement;

/// <summary>
/// A settlement story on a <see cref="LedgerHarness"/> chain: POLR prices set in genesis, one contract Alice → Bob
/// (2,000 Wh in each of two intervals at 200,000 µ/kWh), meters that report, and a clock moved to named instants.
/// </summary>
public sealed class SettlementScenario
{
    public const ulong PolrSell = 300_000, PolrBuy = 100_000;
    public const ulong Payment = 400_000;            // per interval: 2,000 Wh × 200,000 µ/kWh
    public const ulong DmoFee = 1_000 + 2_000 * 4;    // fixed + 2,000 µ/kWh × 4 kWh, split 50/50
    public const ulong GridFee = 10_000 * 4;          // across substations, 4 kWh

    public LedgerHarness H { get; }
    public ulong First { get; private set; }
    public ulong Second => First + LedgerHarness.Interval;

    public SettlementScenario(string dsoModel = "IndependentDmo", bool utilityMayTrade = false, Action<GenesisDocument>? configure = null, int? settlementSteps = null)
    {
        H = new LedgerHarness(dsoModel, utilityMayTrade, configure: genesis =>
        {
            genesis.Fees.PolrPrices = [new GenesisPolrPrice { FromMinute = 0, SellPerKwh = PolrSell, BuyPerKwh = PolrBuy }];
            // 20 kW connections: the stories meter up to 4,000 Wh in a 900 s interval (READING_OUT_OF_RANGE above 5,000).
            foreach (var meter in genesis.Meters) (meter.ImportLimitW, meter.ExportLimitW) = (20_000, 20_000);
            configure?.Invoke(genesis);
        }, settlementSteps: settlementSteps);
    }

    public static ByteString A(PrivateKey key) => ByteString.CopyFrom(key.Address.Bytes);

    /// <summary>Commits the standard contract; its intervals are <see cref="First"/> and <see cref="Second"/>.</summary>
    public SettlementScenario WithContract()
    {
        var terms = H.Contract(H.Alice, H.Bob);
        First = terms.IntervalStart;
        Assert.Equal(ReasonCodes.Ok, H.One(LedgerHarness.Envelope(terms, H.Alice, H.Bob)).Code);
        return this;
    }

    public Transaction Reading(PrivateKey device, string meter, ulong intervalStart, ulong importWh, ulong exportWh)
        => LedgerHarness.Envelope(new MeterReading { Meter = meter, IntervalStart = intervalStart, ImportWh = importWh, ExportWh = exportWh }, device);

    /// <summary>Executes a block at unix time <paramref name="unixSeconds"/>.</summary>
    public IReadOnlyList<TransactionResult> At(ulong unixSeconds, params Transaction[] transactions)
    {
        Assert.True(unixSeconds > H.NowSeconds, $"time moves forward only ({unixSeconds} ≤ {H.NowSeconds})");
        var results = H.Block((int)(unixSeconds - H.NowSeconds), transactions);
        foreach (var r in results) Assert.True(r.Code == ReasonCodes.Ok, $"{r.Code}: {r.Message}");
        return results;
    }

    /// <summary>The instant interval <paramref name="start"/> settles: end + reading window.</summary>
    public ulong SettlesAt(ulong start) => start + LedgerHarness.Interval + H.Parameters.ReadingWindowSeconds;

    public IntervalSettlement? Settlement(ulong start)
        => H.State.Get(SettlementKeys.Interval(start)) is { } b ? IntervalSettlement.Parser.ParseFrom(b) : null;

    public StatementLine? Line(PrivateKey account, ulong time, string kind = "Interval")
        => H.State.Get(SettlementKeys.Statement(account.Address, time, kind)) is { } b ? StatementLine.Parser.ParseFrom(b) : null;

    public AccountState Account(PrivateKey key) => H.Account(key);
}
