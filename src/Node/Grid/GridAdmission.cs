using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Kernel;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Node.Grid;

/// <summary>
/// The grid stage of contract admission on the flow book: for every interval a contract covers, the seller's and
/// buyer's meter limits (METER_LIMIT), every branch on the path within its rating (THERMAL_LIMIT) and every node's
/// LinDistFlow voltage within the band (VOLTAGE_LIMIT); then, once the transaction has passed every other check,
/// records the contract's injections in state. Intervals with no model in force get the meter check only and the
/// across-substations rate. The <see cref="Cache"/> holds committed books only (see <see cref="FlowBookLayer"/>).
/// </summary>
public sealed class GridAdmission(ICommittedFlowBooks cache) : IGridAdmission
{
    private readonly ICommittedFlowBooks _cache = cache;

    public ICommittedFlowBooks Cache => _cache;

    /// <summary>Average power (W) of a contract's energy per interval, rounded up so the book never understates it.</summary>
    public static long ContractPowerW(ulong whPerInterval, ulong intervalSeconds)
    {
        var watts = ((UInt128)whPerInterval * 3600 + intervalSeconds - 1) / intervalSeconds;
        return watts <= long.MaxValue ? (long)watts
            : throw new LedgerRejection(ReasonCodes.InvalidArgument, $"{whPerInterval} Wh per interval is more power than the ledger can represent");
    }

    public IGridBlock BeginBlock() => new Block(new FlowBookLayer(_cache));

    /// <summary>The grid stage of one block, over its own layer of flow books.</summary>
    public sealed class Block(FlowBookLayer books) : IGridBlock
    {
        /// <summary>The books this block has built or changed so far.</summary>
        public FlowBookLayer Books => books;

        public GridPlan Check(LedgerContext context, EnergyContract terms, MeterState sellerMeter, MeterState buyerMeter)
        {
            ulong step = context.Parameters.IntervalSeconds;
            long power = ContractPowerW(terms.WhPerInterval, step);
            var plan = new FlowBook[terms.IntervalCount];
            var points = new (MeterPoint Seller, MeterPoint Buyer)[terms.IntervalCount];
            // One scan of the installed models per contract, not per interval: scans cost O(pending writes) in a block.
            var installed = InstalledModels.All(context.State).ToList();
            for (int i = 0; i < plan.Length; i++)
            {
                ulong interval = checked(terms.IntervalStart + (ulong)i * step);
                FlowBook book;
                // An interval whose baseline and committed flows leave the fixed-point range refuses every contract in it.
                try { book = plan[i] = books.Read(context.State, interval, InstalledModels.At(installed, interval)); }
                catch (GridRangeException range) { throw new LedgerRejection(range.Violation.Code, range.Violation.Message); }
                var seller = FlowBookBuilder.Point(sellerMeter, book.Model);
                var buyer = FlowBookBuilder.Point(buyerMeter, book.Model);
                points[i] = (seller, buyer);
                if (book.Check(seller, buyer, power) is { } violation) throw new LedgerRejection(violation.Code, violation.Message);
            }
            var level = plan[0].Model is { } model ? model.Level(points[0].Seller.Node, points[0].Buyer.Node) : PathLevel.AcrossSubstations;
            return new GridPlan(level, power, plan, points);
        }

        public void Record(LedgerContext context, Hash32 contractId, GridPlan plan)
        {
            for (int i = 0; i < plan.Books.Count; i++)
            {
                var book = books.TakeForUpdate(plan.Books[i]);
                var (seller, buyer) = plan.Points[i];
                book.Apply(seller, buyer, plan.PowerW);
                GridState.SetInjection(context.State, book.Interval, seller.Id, book.MeterNet(seller.Id));
                GridState.SetInjection(context.State, book.Interval, buyer.Id, book.MeterNet(buyer.Id));
                books.Updated(book, GridState.AdvanceRevision(context.State, book.Interval, GridState.Change.Contract, contractId));
            }
        }

        public void Publish() => books.Publish();
    }
}
