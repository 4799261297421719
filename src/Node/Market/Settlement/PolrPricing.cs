using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Node.Market.Settlement;

/// <summary>
/// The POLR's time-of-use prices: the band in force at an interval's start (minute of the UTC day), and imbalance
/// amounts as ⌊Wh × price/kWh ÷ 1000⌋ — the same truncation contract pricing uses, so one rule covers all energy money.
/// </summary>
public static class PolrPricing
{
    public static PolrPrice BandAt(SetPolrTariff tariff, ulong intervalStart)
    {
        uint minute = (uint)(intervalStart % 86_400 / 60);
        PolrPrice band = tariff.Prices[0];
        foreach (var candidate in tariff.Prices)
        {
            if (candidate.FromMinute > minute) break;
            band = candidate;
        }
        return band;
    }

    public static ulong Amount(ulong wh, ulong pricePerKwh)
    {
        Int128 amount = (Int128)wh * pricePerKwh / 1000;
        // ulong × ulong ÷ 1000 overflows only for absurd tariffs; refusing to settle is worse than saturating at the
        // ledger's largest amount, and the statement line shows the charge, so the anomaly stays visible.
        return amount > ulong.MaxValue ? ulong.MaxValue : (ulong)amount;
    }
}
