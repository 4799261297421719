using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Ledger.Execution.Handlers;

/// <summary>Meter registration (utility) and meter readings (device key).</summary>
internal static class MeterHandlers
{
    public static void RegisterMeter(LedgerContext context, VerifiedTransaction tx, RegisterMeter register)
    {
        Authority.RequireSigner(tx, context.Parameters.Utility, "utility");
        context.MarkUsed(tx.PayloadId, "RegisterMeter");
        Authority.RequireMeterId(register.Meter, "meter");
        Authority.RequireText(register.GridNode, "gridNode", 64);
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

    /// <summary>Stores a reading for settlement; one per meter and interval, within the reading window.</summary>
    public static void MeterReading(LedgerContext context, VerifiedTransaction tx, MeterReading reading)
    {
        var meter = context.Meter(reading.Meter) ?? throw new LedgerRejection(ReasonCodes.UnknownMeter, $"meter '{reading.Meter}' is not registered");
        Authority.RequireSigner(tx, Authority.Address(meter.Device, "device"), $"device key of meter {reading.Meter}");
        var p = context.Parameters;
        if (reading.IntervalStart % p.IntervalSeconds != 0)
            throw new LedgerRejection(ReasonCodes.InvalidArgument, $"intervalStart {reading.IntervalStart} is not aligned to the {p.IntervalSeconds} s interval");
        ulong end = checked(reading.IntervalStart + p.IntervalSeconds);
        if (context.TimeSeconds < end)
            throw new LedgerRejection(ReasonCodes.IntervalNotEnded, $"interval {LedgerContext.Format(reading.IntervalStart)} of meter {reading.Meter} ends at {LedgerContext.Format(end)}, block time is {LedgerContext.Format(context.TimeSeconds)}");
        if (context.TimeSeconds >= end + p.ReadingWindowSeconds)
            throw new LedgerRejection(ReasonCodes.ReadingWindowClosed, $"the reading window for {LedgerContext.Format(reading.IntervalStart)} closed at {LedgerContext.Format(end + p.ReadingWindowSeconds)}");
        var key = StateKeys.Reading(reading.IntervalStart, reading.Meter);
        if (context.State.Get(key) is not null)
            throw new LedgerRejection(ReasonCodes.DuplicateReading, $"meter {reading.Meter} already reported interval {LedgerContext.Format(reading.IntervalStart)}");
        context.State.Set(key, Google.Protobuf.MessageExtensions.ToByteArray(reading));
    }
}
