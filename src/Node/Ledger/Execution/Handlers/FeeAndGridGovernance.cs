using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Market;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Energy;
using P2PEnergy.Node.Ledger.Kernel;

namespace P2PEnergy.Node.Ledger.Execution.Handlers;

/// <summary>Fee schedule parts (each by its authority), planner baselines and grid model updates.</summary>
internal static class FeeAndGridGovernance
{
    /// <summary>Most baseline entries one SetBaseline may carry.</summary>
    public const int MaxBaselineEntries = 10_000;

    public static void SetDmoFees(LedgerContext context, VerifiedTransaction tx, SetDmoFees fees)
    {
        context.MarkUsed(tx.PayloadId, "SetDmoFees");
        RequireFutureInterval(context, fees.EffectiveFrom);
        if (fees.BuyerSharePermille > 1000) throw new LedgerRejection(ReasonCodes.InvalidArgument, $"buyerSharePermille must be ≤ 1000, got {fees.BuyerSharePermille}");
        FeeSchedule.Put(context.State, WithoutNonce(fees));
    }

    public static void SetGridFees(LedgerContext context, VerifiedTransaction tx, SetGridFees fees)
    {
        context.MarkUsed(tx.PayloadId, "SetGridFees");
        RequireFutureInterval(context, fees.EffectiveFrom);
        FeeSchedule.Put(context.State, WithoutNonce(fees));
    }

    public static void SetPolrTariff(LedgerContext context, VerifiedTransaction tx, SetPolrTariff tariff)
    {
        context.MarkUsed(tx.PayloadId, "SetPolrTariff");
        RequireFutureInterval(context, tariff.EffectiveFrom);
        if (tariff.Prices.Count == 0 || tariff.Prices[0].FromMinute != 0)
            throw new LedgerRejection(ReasonCodes.InvalidArgument, "prices must start with a band at fromMinute 0");
        for (int i = 1; i < tariff.Prices.Count; i++)
            if (tariff.Prices[i].FromMinute <= tariff.Prices[i - 1].FromMinute || tariff.Prices[i].FromMinute >= 1440)
                throw new LedgerRejection(ReasonCodes.InvalidArgument, $"prices[{i}].fromMinute must increase and stay below 1440, got {tariff.Prices[i].FromMinute}");
        FeeSchedule.Put(context.State, WithoutNonce(tariff));
    }

    public static void SetBaseline(LedgerContext context, VerifiedTransaction tx, SetBaseline baseline)
    {
        context.MarkUsed(tx.PayloadId, "SetBaseline");
        RequireFutureInterval(context, baseline.IntervalStart);
        if (baseline.IntervalCount == 0 || baseline.IntervalCount > context.Parameters.MaxIntervalCount)
            throw new LedgerRejection(ReasonCodes.InvalidArgument, $"intervalCount must lie in [1, {context.Parameters.MaxIntervalCount}], got {baseline.IntervalCount}");
        if (baseline.Entries.Count is 0 or > MaxBaselineEntries)
            throw new LedgerRejection(ReasonCodes.InvalidArgument, $"entries must number 1..{MaxBaselineEntries}, got {baseline.Entries.Count}");
        var elements = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in baseline.Entries)
        {
            if (!elements.Add(entry.Element)) throw new LedgerRejection(ReasonCodes.InvalidArgument, $"element '{entry.Element}' appears twice");
        }
        ulong until = LedgerContext.IntervalsEnd(baseline.IntervalStart, baseline.IntervalCount, context.Parameters.IntervalSeconds, "intervalStart");
        foreach (var model in Grid.InstalledModels.InForceDuring(context.State, baseline.IntervalStart, until))
            foreach (var entry in baseline.Entries)
                if (model.IndexOf(entry.Element) < 0)
                    throw new LedgerRejection(ReasonCodes.InvalidArgument, $"element '{entry.Element}' is not in the grid model {model.Hash} in force for these intervals");
        for (uint i = 0; i < baseline.IntervalCount; i++)
        {
            ulong interval = baseline.IntervalStart + i * context.Parameters.IntervalSeconds;
            foreach (var entry in baseline.Entries)
                context.State.Set(StateKeys.Baseline(interval, entry.Element), entry.ToByteArray());
            Grid.GridState.AdvanceRevision(context.State, interval, Grid.GridState.Change.Baseline, tx.PayloadId); // cached books of the interval no longer match
        }
    }

    public static void UpdateGridModel(LedgerContext context, VerifiedTransaction tx, UpdateGridModel update)
    {
        context.MarkUsed(tx.PayloadId, "UpdateGridModel");
        RequireFutureInterval(context, update.EffectiveFrom);
        var expected = Authority.Hash(update.ModelHash, "modelHash");
        var attachment = tx.Envelope.Attachment.Span;
        if (attachment.Length == 0) throw new LedgerRejection(ReasonCodes.InvalidArgument, "UpdateGridModel carries the model as the envelope's attachment, which is empty");
        var actual = Keccak256.Hash(attachment);
        if (actual != expected) throw new LedgerRejection(ReasonCodes.InvalidArgument, $"attachment hashes to {actual}, the signed modelHash is {expected}");
        Grid.GridModelInstall.Install(context.State, update.EffectiveFrom, attachment.ToArray(), actual);
    }

    /// <summary>Governance changes take effect from a whole future interval, never retroactively.</summary>
    private static void RequireFutureInterval(LedgerContext context, ulong start)
    {
        var p = context.Parameters;
        if (!Interval.IsAligned(start, p.IntervalSeconds))
            throw new LedgerRejection(ReasonCodes.InvalidArgument, Interval.Misaligned(start, p.IntervalSeconds));
        if (start <= context.TimeSeconds)
            throw new LedgerRejection(ReasonCodes.NotInFuture, $"{IsoTime.Format(start)} is not after block time {IsoTime.Format(context.TimeSeconds)}");
    }

    // The nonce only makes the signed struct unique; the stored schedule is the same whatever the nonce was.
    private static T WithoutNonce<T>(T message) where T : IMessage<T>
    {
        var copy = message.Clone();
        copy.Descriptor.FindFieldByName("nonce").Accessor.SetValue(copy, 0UL);
        return copy;
    }
}
