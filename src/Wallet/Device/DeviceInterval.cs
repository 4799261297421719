namespace P2PEnergy.Wallet.Device;

/// <summary>One settlement interval as a device sees it: its start (unix seconds) and length.</summary>
public readonly record struct DeviceInterval(ulong Start, ulong LengthSeconds)
{
    /// <summary>The first second after the interval; a reading is accepted only from here on.</summary>
    public ulong End => Start + LengthSeconds;

    public double Hours => LengthSeconds / 3600.0;

    /// <summary>Seconds of this interval that overlap [<paramref name="from"/>, <paramref name="to"/>) (unix seconds).</summary>
    public double OverlapSeconds(double from, double to) => Math.Max(0, Math.Min(End, to) - Math.Max(Start, from));
}
