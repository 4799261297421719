namespace P2PEnergy.Wallet.Device;

/// <summary>
/// A deliberate deviation from dispatch (<c>--deviation PCT</c>): the device runs at (100 + PCT)% of its instruction,
/// so −20 under-delivers a sale (and under-consumes a purchase) by a fifth and +10 over-delivers by a tenth. The
/// scaled setpoint still passes through the driver, so the reading stays what the device physically did.
/// </summary>
public readonly record struct Deviation
{
    public Deviation(decimal percent)
    {
        // Below −100 the device would be told to reverse its flow, which is not a deviation but a different order.
        if (percent < -100) throw new ArgumentOutOfRangeException(nameof(percent), percent, "a deviation below -100% would reverse the flow");
        Percent = percent;
    }

    public decimal Percent { get; }

    /// <summary>The setpoint for <paramref name="instructedNetExportWh"/>, rounded toward zero to whole Wh.</summary>
    public long Apply(long instructedNetExportWh)
        => (long)decimal.Round(instructedNetExportWh * (100 + Percent) / 100, 0, MidpointRounding.ToZero);
}
