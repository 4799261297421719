namespace P2PEnergy.Node.Grid;

/// <summary>
/// The largest additional export (or import) a meter could contract in one interval on top of its flow book: a
/// contract with the substation, so the path runs from the meter to the root. Every check is linear in the power,
/// so the accepted powers form one interval from 0 and a binary search over the real check finds its end exactly.
/// </summary>
public static class HostingCapacitySearch
{
    /// <summary>The substation as a counterparty: at the root, unity power factor, no meter limit.</summary>
    public static MeterPoint Substation => new("(substation)", 0, 0, ulong.MaxValue, ulong.MaxValue);

    /// <summary>Largest additional export; with the refusal one watt more gets (without a model only meter limits apply).</summary>
    public static (long Watts, GridViolation? LimitedBy) Export(FlowBook book, MeterPoint meter)
        => Search(book, meter, Substation, meter.ExportLimitW, book.MeterNet(meter.Id));

    public static (long Watts, GridViolation? LimitedBy) Import(FlowBook book, MeterPoint meter)
        => Search(book, Substation, meter, meter.ImportLimitW, -book.MeterNet(meter.Id));

    private static (long, GridViolation?) Search(FlowBook book, MeterPoint seller, MeterPoint buyer, ulong meterLimit, long current)
    {
        // The meter's own limit bounds the search: limit − what it already exports (or imports) in this direction.
        Int128 ceiling = (Int128)Math.Min(meterLimit, (ulong)long.MaxValue) - current;
        long hi = ceiling <= 0 ? 0 : ceiling >= long.MaxValue / 4 ? long.MaxValue / 4 : (long)ceiling;
        if (book.Check(seller, buyer, 0) is { } now) return (0, now);
        if (book.Check(seller, buyer, hi) is null) return (hi, book.Check(seller, buyer, hi + 1));
        long lo = 0; // accepted
        while (hi - lo > 1)
        {
            long mid = lo + (hi - lo) / 2;
            if (book.Check(seller, buyer, mid) is null) lo = mid; else hi = mid;
        }
        return (lo, book.Check(seller, buyer, hi));
    }
}
