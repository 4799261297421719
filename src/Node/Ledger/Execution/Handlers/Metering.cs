using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Energy;
using P2PEnergy.Node.Ledger.Kernel;

namespace P2PEnergy.Node.Ledger.Execution.Handlers;

/// <summary>Meter registration (utility) and meter readings (device key).</summary>
internal static class Metering
{
    public static void RegisterMeter(LedgerContext context, VerifiedTransaction tx, RegisterMeter register)
    {
        context.MarkUsed(tx.PayloadId, "RegisterMeter");
        Authority.RequireMeterId(register.Meter, "meter");
        if (register.GridNode.Length == 0) throw new LedgerRejection(ReasonCodes.InvalidArgument, "gridNode is required");
        var owner = Authority.Address(register.Owner, "owner");
        Authority.Address(register.Device, "device");
        if (register.PowerFactorMilli > 1000)
            throw new LedgerRejection(ReasonCodes.InvalidArgument, $"powerFactorMilli must be ≤ 1000, got {register.PowerFactorMilli}");
        if (context.Meter(register.Meter) is not null)
            throw new LedgerRejection(ReasonCodes.AlreadyExists, $"meter {register.Meter} is already registered");
        if (owner != context.Parameters.Utility && context.Account(owner) is not { Admitted: true })
            throw new LedgerRejection(ReasonCodes.NotAdmitted, $"meter owner {owner} is not an admitted participant");
        RequireServicePointInEveryModel(context, register);
        context.State.Set(StateKeys.MeterByOwner(owner, register.Meter), []);
        context.Put(new MeterState
        {
            Meter = register.Meter, Owner = register.Owner, GridNode = register.GridNode, Device = register.Device,
            ImportLimitW = register.ImportLimitW, ExportLimitW = register.ExportLimitW, PowerFactorMilli = register.PowerFactorMilli,
        });
    }

    /// <summary>A meter must sit on a service point of the model in force and of every model installed for later.</summary>
    private static void RequireServicePointInEveryModel(LedgerContext context, RegisterMeter register)
    {
        // Superseded models no longer govern any interval a contract could name, so they do not count.
        foreach (var model in Grid.InstalledModels.InForceDuring(context.State, context.TimeSeconds, ulong.MaxValue))
        {
            try { model.RequireServicePoint(register.GridNode, register.Meter); }
            catch (Grid.GridModelException e) { throw new LedgerRejection(ReasonCodes.InvalidArgument, $"{e.Message} (grid model {model.Hash})"); }
        }
    }

    /// <summary>
    /// A reading is signed by the meter's device key and measures no more than the meter's registered limits allow in
    /// one interval: limit (W) × interval (s) ÷ 3600, in Wh, rounded up. Runs at the door and in execution
    /// (<see cref="SignerRules"/>), so an impossible reading never reaches a block, let alone settlement.
    /// </summary>
    public static void RequireDeviceAndRange(LedgerContext context, VerifiedTransaction tx, MeterReading reading)
    {
        var meter = context.Meter(reading.Meter) ?? throw new LedgerRejection(ReasonCodes.UnknownMeter, $"meter '{reading.Meter}' is not registered");
        Authority.RequireSigner(tx, Authority.Address(meter.Device, "device"), $"device key of meter {reading.Meter}");
        ulong seconds = context.Parameters.IntervalSeconds;
        RequireWithin(reading.Meter, "importWh", reading.ImportWh, "import", meter.ImportLimitW, seconds);
        RequireWithin(reading.Meter, "exportWh", reading.ExportWh, "export", meter.ExportLimitW, seconds);
    }

    /// <summary>The most energy (Wh, rounded up) a connection limited to <paramref name="limitW"/> passes in an interval.</summary>
    public static ulong MaxWhPerInterval(ulong limitW, ulong intervalSeconds)
    {
        var wh = ((UInt128)limitW * intervalSeconds + 3599) / 3600;
        return wh > ulong.MaxValue ? ulong.MaxValue : (ulong)wh;
    }

    private static void RequireWithin(string meterId, string field, ulong wh, string direction, ulong limitW, ulong intervalSeconds)
    {
        ulong max = MaxWhPerInterval(limitW, intervalSeconds);
        if (wh > max)
            throw new LedgerRejection(ReasonCodes.ReadingOutOfRange,
                $"meter {meterId}: {field} {wh} Wh exceeds the {max} Wh its registered {direction} limit of {limitW} W allows in a {intervalSeconds} s interval");
    }

    /// <summary>Stores a reading for settlement; one per meter and interval, within the reading window.</summary>
    public static void MeterReading(LedgerContext context, VerifiedTransaction tx, MeterReading reading)
    {
        var p = context.Parameters;
        if (!Interval.IsAligned(reading.IntervalStart, p.IntervalSeconds))
            throw new LedgerRejection(ReasonCodes.InvalidArgument, "intervalStart " + Interval.Misaligned(reading.IntervalStart, p.IntervalSeconds));
        // Compared without adding, so an interval start near 2^64 is an interval that has not ended, not an overflow.
        if (reading.IntervalStart > context.TimeSeconds || context.TimeSeconds - reading.IntervalStart < p.IntervalSeconds)
            throw new LedgerRejection(ReasonCodes.IntervalNotEnded, $"interval {IsoTime.Format(reading.IntervalStart)} of meter {reading.Meter} has not ended at block time {IsoTime.Format(context.TimeSeconds)}");
        ulong end = reading.IntervalStart + p.IntervalSeconds;
        if (context.TimeSeconds >= end + p.ReadingWindowSeconds)
            throw new LedgerRejection(ReasonCodes.ReadingWindowClosed, $"the reading window for {IsoTime.Format(reading.IntervalStart)} closed at {IsoTime.Format(end + p.ReadingWindowSeconds)}");
        var key = StateKeys.Reading(reading.IntervalStart, reading.Meter);
        if (context.State.Get(key) is not null)
            throw new LedgerRejection(ReasonCodes.DuplicateReading, $"meter {reading.Meter} already reported interval {IsoTime.Format(reading.IntervalStart)}");
        context.State.Set(key, Google.Protobuf.MessageExtensions.ToByteArray(reading));
    }
}
