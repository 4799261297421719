using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Execution;

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
/// The grid stage of contract admission: checks the physics of a new contract against everything committed and
/// records its flows, or throws <see cref="LedgerRejection"/> (THERMAL_LIMIT, VOLTAGE_LIMIT, METER_LIMIT).
/// </summary>
public interface IGridAdmission
{
    PathLevel Admit(LedgerContext context, EnergyContract terms, MeterState sellerMeter, MeterState buyerMeter);
}

/// <summary>
/// The grid stage while a chain has no grid model installed: there is nothing to check the physics against, so
/// contracts are admitted on the market rules alone and pay the across-substations rate, the highest and so the
/// one that never undercharges the utility. Replaced by the flow-book check once a model is installed.
/// </summary>
public sealed class UnmodelledGrid : IGridAdmission
{
    public PathLevel Admit(LedgerContext context, EnergyContract terms, MeterState sellerMeter, MeterState buyerMeter)
        => PathLevel.AcrossSubstations;
}
