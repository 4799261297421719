using Google.Protobuf;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Kernel;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Market.Settlement;

/// <summary>
/// What settlement does when a step throws (a bug, or a value no check foresaw), so that neither this block nor any
/// later one stops on it: the block's settlement starts over in runs that halve on each failure, until the failing
/// step is alone (and double again once past it); that step is skipped — the contract entry, meter, receivable or account it would have handled, or the
/// event's start or end — with a <c>SettlementError</c> record in state, and settlement goes on behind it. Every node
/// isolates the same step (the runs are a function of state and the block), so the outcome stays deterministic; a
/// failing block costs at most a few times its budget. Fatal exceptions (<see cref="ExecutionFault.IsFatal"/>) pass.
/// </summary>
internal static class SettlementFailures
{
    public static StateOverlay Isolate(ChainParameters parameters, IStateReader committed, ulong height, long timeMs, int budget, ICollection<ExecutionFault> faults)
    {
        var block = new StateOverlay(committed);
        int size = Math.Max(1, budget / 2);
        while (budget > 0)
        {
            var scratch = new StateOverlay(block);
            try
            {
                var (taken, outOfSteps) = SettlementRound.Run(new LedgerContext(parameters, scratch, height, timeMs), Math.Min(size, budget));
                scratch.MergeInto(block);
                budget -= taken;
                if (!outOfSteps) break; // nothing more is due
                size = Math.Min(2 * size, Math.Max(1, budget)); // past the failure: back to long runs
            }
            catch (Exception e) when (!ExecutionFault.IsFatal(e))
            {
                if (size > 1)
                {
                    size /= 2;
                    continue;
                }
                var skip = new StateOverlay(block);
                try { Skip(new LedgerContext(parameters, skip, height, timeMs), e); }
                catch (Exception again) when (!ExecutionFault.IsFatal(again))
                {
                    // Not even the skip can be written (a cursor that does not parse): settlement waits, the chain goes on.
                    faults.Add(new ExecutionFault(height, -1, null, "settlement (not skippable; settlement halted)", again));
                    break;
                }
                skip.MergeInto(block);
                faults.Add(new ExecutionFault(height, -1, null, "settlement step", e));
                budget--;
            }
        }
        return block;
    }

    /// <summary>Skips the step the cursor points at and records why.</summary>
    private static void Skip(LedgerContext context, Exception e)
    {
        var state = context.State;
        var p = context.Parameters;
        var cursor = SettlementRound.Cursor(context);
        var error = new SettlementError { Height = context.Height, Stage = cursor.Stage, Message = ExecutionFault.Describe("settlement step", e) };
        switch (cursor.Stage)
        {
            case SettlementStage.SettlementIdle:
                if (SettlementRound.NextDue(context, cursor) is not { } next) throw new InvalidOperationException("settlement failed with nothing due", e);
                (error.Event, error.EventTime) = (next.Kind.ToString(), next.Time);
                switch (next.Kind)
                {
                    case SettlementRound.Event.Interval:
                        IntervalSettler.ForgetContractStart(state, cursor.NextInterval); // as a started interval does
                        cursor.NextInterval += p.IntervalSeconds;
                        break;
                    case SettlementRound.Event.Standby: cursor.StandbyDay = next.Time; break;
                    default: cursor.SubscriptionMonth = next.Time; break;
                }
                break;
            case SettlementStage.IntervalContracts or SettlementStage.IntervalShortfalls or SettlementStage.IntervalSurpluses or SettlementStage.IntervalReceivables:
                (error.Event, error.EventTime) = (IntervalSettler.Kind, cursor.NextInterval);
                error.Item = NextItem(state, cursor) ?? "";
                if (error.Item.Length > 0)
                {
                    cursor.ResumeKey = ResumeAfter(cursor.Stage, error.Item);
                    // The last pass deletes each meter's stored position as it goes; a skipped meter's goes too.
                    if (cursor.Stage == SettlementStage.IntervalSurpluses) state.Delete(SettlementKeys.Position(cursor.ResumeKey[..^1]));
                    cursor.Interval.Skipped++;
                }
                else
                {
                    // The stage's end (or the record) failed: the interval is abandoned, its stored positions with it.
                    foreach (var key in state.Scan(SettlementKeys.PositionPrefix).Select(kv => kv.Key).ToList()) state.Delete(key);
                    IntervalSettler.Finish(cursor, p.IntervalSeconds);
                }
                break;
            default:
                bool standby = cursor.Stage is SettlementStage.StandbyParticipants or SettlementStage.StandbyReceivables;
                (error.Event, error.EventTime) = (standby ? PolrStandbyFee.StandbyKind : ParticipantCharges.SubscriptionKind, cursor.EventTime);
                error.Item = NextItem(state, cursor) ?? "";
                if (error.Item.Length > 0) cursor.ResumeKey = error.Item + "\0";
                else
                {
                    if (standby) cursor.StandbyDay = cursor.EventTime; else cursor.SubscriptionMonth = cursor.EventTime;
                    ParticipantCharges.Finish(cursor);
                }
                break;
        }
        int n = state.Scan(SettlementKeys.Error(context.Height, 0)[..^20]).Count();
        state.Set(SettlementKeys.Error(context.Height, n), error.ToByteArray());
        state.Set(SettlementKeys.Cursor, cursor.ToByteArray());
    }

    /// <summary>The state key of the item the stage would handle next (for a meter pass, the reading or position key), or null at the stage's end.</summary>
    private static string? NextItem(IStateReader state, SettlementCursor cursor)
    {
        switch (cursor.Stage)
        {
            case SettlementStage.IntervalContracts:
                return state.Scan(StateKeys.ContractByIntervalPrefix, cursor.ResumeKey).Select(kv => kv.Key).FirstOrDefault();
            case SettlementStage.IntervalShortfalls or SettlementStage.IntervalSurpluses:
                // The next meter of the merged walk: the lower of the next reading and the next stored position.
                var reading = state.Scan(StateKeys.Reading(cursor.NextInterval, ""), StateKeys.Reading(cursor.NextInterval, cursor.ResumeKey)).Select(kv => kv.Key).FirstOrDefault();
                var position = state.Scan(SettlementKeys.PositionPrefix, SettlementKeys.Position(cursor.ResumeKey)).Select(kv => kv.Key).FirstOrDefault();
                string? readingMeter = reading?[StateKeys.Reading(cursor.NextInterval, "").Length..];
                string? positionMeter = position?[SettlementKeys.PositionPrefix.Length..];
                if (readingMeter is null) return position;
                if (positionMeter is null) return reading;
                return string.CompareOrdinal(readingMeter, positionMeter) <= 0 ? reading : position;
            case SettlementStage.IntervalReceivables or SettlementStage.StandbyReceivables:
                return state.Scan(SettlementKeys.ReceivablePrefix, cursor.ResumeKey).Select(kv => kv.Key).FirstOrDefault();
            default:
                return state.Scan(StateKeys.AccountPrefix, cursor.ResumeKey).Select(kv => kv.Key).FirstOrDefault();
        }
    }

    /// <summary>The resume key just past <paramref name="item"/> in its stage's own key space (meter passes resume by meter id).</summary>
    private static string ResumeAfter(SettlementStage stage, string item)
    {
        if (stage is not (SettlementStage.IntervalShortfalls or SettlementStage.IntervalSurpluses)) return item + "\0";
        int slash = item.LastIndexOf('/');
        return item[(slash + 1)..] + "\0";
    }
}
