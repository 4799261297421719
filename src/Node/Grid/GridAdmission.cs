using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Execution;

namespace P2PEnergy.Node.Grid;

/// <summary>
/// The grid stage of contract admission on the flow book: for every interval a contract covers, the seller's and
/// buyer's meter limits (METER_LIMIT), every branch on the path within its rating (THERMAL_LIMIT) and every node's
/// LinDistFlow voltage within the band (VOLTAGE_LIMIT); then records the contract's injections in state. Intervals
/// with no model in force get the meter check only and the across-substations rate.
/// </summary>
public sealed class GridAdmission(FlowBookCache? cache = null) : IGridAdmission
{
    private readonly FlowBookCache _cache = cache ?? new FlowBookCache();

    public FlowBookCache Cache => _cache;

    /// <summary>Average power (W) of a contract's energy per interval, rounded up so the book never understates it.</summary>
    public static long ContractPowerW(ulong whPerInterval, ulong intervalSeconds)
    {
        var watts = ((UInt128)whPerInterval * 3600 + intervalSeconds - 1) / intervalSeconds;
        return watts <= long.MaxValue ? (long)watts
            : throw new LedgerRejection(ReasonCodes.InvalidArgument, $"{whPerInterval} Wh per interval is more power than the ledger can represent");
    }

    public PathLevel Admit(LedgerContext context, EnergyContract terms, MeterState sellerMeter, MeterState buyerMeter)
    {
        ulong step = context.Parameters.IntervalSeconds;
        long power = ContractPowerW(terms.WhPerInterval, step);
        var books = new FlowBook[terms.IntervalCount];
        var points = new (MeterPoint Seller, MeterPoint Buyer)[terms.IntervalCount];
        // One scan of the installed models per contract, not per interval: scans cost O(pending writes) in a block.
        var installed = InstalledModels.All(context.State).ToList();
        // Check every interval before writing anything: the first refusal names its interval and nothing is recorded.
        for (int i = 0; i < books.Length; i++)
        {
            ulong interval = checked(terms.IntervalStart + (ulong)i * step);
            var book = books[i] = _cache.Get(context.State, interval, InstalledModels.At(installed, interval));
            var seller = FlowBookCache.Point(sellerMeter, book.Model);
            var buyer = FlowBookCache.Point(buyerMeter, book.Model);
            points[i] = (seller, buyer);
            if (book.Check(seller, buyer, power) is { } violation) throw new LedgerRejection(violation.Code, violation.Message);
        }
        for (int i = 0; i < books.Length; i++)
        {
            var book = books[i];
            var (seller, buyer) = points[i];
            _cache.Forget(book.Interval);
            book.Apply(seller, buyer, power);
            GridState.SetInjection(context.State, book.Interval, seller.Id, book.MeterNet(seller.Id));
            GridState.SetInjection(context.State, book.Interval, buyer.Id, book.MeterNet(buyer.Id));
            GridState.BumpRevision(context.State, book.Interval);
            _cache.Remember(book.Interval, book, GridState.RevisionOf(context.State, book.Interval));
        }
        var first = books[0];
        return first.Model is { } model ? model.Level(points[0].Seller.Node, points[0].Buyer.Node) : PathLevel.AcrossSubstations;
    }
}
