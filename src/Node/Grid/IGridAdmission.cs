using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Kernel;

namespace P2PEnergy.Node.Grid;

/// <summary>How far up the radial tree a contract's power travels; sets its grid use-of-system fee.</summary>
public enum PathLevel
{
    SameTransformer,
    SameFeeder,
    SameSubstation,
    AcrossSubstations,
}

/// <summary>
/// The grid stage of contract admission: checks the physics of a new contract against everything committed
/// (THERMAL_LIMIT, VOLTAGE_LIMIT, METER_LIMIT) and, once every other check of the transaction has passed, records
/// its flows. One <see cref="IGridBlock"/> per executed block.
/// </summary>
public interface IGridAdmission
{
    /// <summary>The grid stage of one block about to execute.</summary>
    IGridBlock BeginBlock();
}

/// <summary>
/// The grid stage within one block. <see cref="Check"/> writes nothing (neither state nor any cache), so a contract
/// refused later — for funds, pricing, an overflow — leaves no trace; <see cref="Record"/> runs last in the
/// transaction. What the block learns (flow books) reaches later blocks only through <see cref="Publish"/>, which the
/// engine calls after the block's store commit succeeded.
/// </summary>
public interface IGridBlock
{
    /// <summary>Checks the contract in every interval it covers; throws <see cref="LedgerRejection"/> naming the first violation.</summary>
    GridPlan Check(LedgerContext context, EnergyContract terms, MeterState sellerMeter, MeterState buyerMeter);

    /// <summary>Records a checked contract's flows in state (and in the block's books), after every other check passed.</summary>
    void Record(LedgerContext context, Hash32 contractId, GridPlan plan);

    /// <summary>Makes the block's books available to later blocks; call only once the block is committed.</summary>
    void Publish();
}

/// <summary>
/// What a grid check found: the path level (for the grid fee) and, on a modelled grid, each interval's book with the
/// two meters located in it, so <see cref="IGridBlock.Record"/> needs no second look-up.
/// </summary>
public sealed record GridPlan(PathLevel Level, long PowerW, IReadOnlyList<FlowBook> Books, IReadOnlyList<(MeterPoint Seller, MeterPoint Buyer)> Points)
{
    /// <summary>A plan with nothing to record (no grid model).</summary>
    public static GridPlan Unmodelled { get; } = new(PathLevel.AcrossSubstations, 0, [], []);
}

/// <summary>
/// The grid stage while a chain has no grid model installed: there is nothing to check the physics against, so
/// contracts are admitted on the market rules alone and pay the across-substations rate, the highest and so the
/// one that never undercharges the utility. Replaced by the flow-book check once a model is installed.
/// </summary>
public sealed class UnmodelledGrid : IGridAdmission, IGridBlock
{
    public IGridBlock BeginBlock() => this;
    public GridPlan Check(LedgerContext context, EnergyContract terms, MeterState sellerMeter, MeterState buyerMeter) => GridPlan.Unmodelled;
    public void Record(LedgerContext context, Hash32 contractId, GridPlan plan) { }
    public void Publish() { }
}
