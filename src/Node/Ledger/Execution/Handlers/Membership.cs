using Google.Protobuf;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Node.Ledger.Kernel;

namespace P2PEnergy.Node.Ledger.Execution.Handlers;

/// <summary>Admission, suspension and aggregator delegation (kept indexed by aggregator for its list of delegators).</summary>
internal static class Membership
{
    public static void Admit(LedgerContext context, VerifiedTransaction tx, Admit admit)
    {
        context.MarkUsed(tx.PayloadId, "Admit");
        var address = Authority.Address(admit.Account, "account");
        if (!Roles.IsParticipantRole(admit.Role))
            throw new LedgerRejection(ReasonCodes.InvalidArgument, $"role must be one of {string.Join(", ", Roles.ParticipantRoles)}, got '{admit.Role}'");
        var p = context.Parameters;
        if (address == p.Utility || address == p.MarketOperator || address == p.Planner || address == p.Regulator)
            throw new LedgerRejection(ReasonCodes.InvalidArgument, $"{address} is an authority account and cannot be admitted as a participant");
        var existing = context.Account(address);
        if (existing is { Admitted: true })
            throw new LedgerRejection(ReasonCodes.AlreadyExists, $"{address} is already admitted as {existing.Role}");
        var account = existing ?? new AccountState { Address = admit.Account };
        account.Admitted = true;
        account.Role = admit.Role;
        account.Name = admit.Name;
        context.Put(account);
    }

    public static void Suspend(LedgerContext context, VerifiedTransaction tx, Suspend suspend)
    {
        context.MarkUsed(tx.PayloadId, "Suspend");
        var address = Authority.Address(suspend.Account, "account");
        var account = context.Account(address);
        if (account is not { Admitted: true })
            throw new LedgerRejection(ReasonCodes.NotAdmitted, $"{address} is not an admitted participant");
        if (account.Suspended == suspend.Suspended)
            throw new LedgerRejection(ReasonCodes.InvalidArgument, $"{address} is already {(suspend.Suspended ? "suspended" : "active")}");
        account.Suspended = suspend.Suspended;
        account.SuspensionReason = suspend.Suspended ? suspend.Reason : "";
        context.Put(account);
    }

    public static void Delegate(LedgerContext context, VerifiedTransaction tx, Contracts.Protos.Delegate delegation)
    {
        var member = Authority.Address(delegation.Member, "member");
        var aggregator = Authority.Address(delegation.Aggregator, "aggregator");
        context.MarkUsed(tx.PayloadId, "Delegate");
        // Ending a delegation needs no right to trade: a suspended member's aggregator may still be let go (or let go of it).
        var account = delegation.Active ? context.RequireActiveParticipant(member, "member") : context.RequireAccount(member, "member");
        if (member == aggregator) throw new LedgerRejection(ReasonCodes.InvalidArgument, $"{member} cannot delegate to itself");
        var list = account.Aggregators.ToList();
        int index = list.FindIndex(a => a.Span.SequenceEqual(aggregator.Bytes));
        if (delegation.Active)
        {
            var target = context.Account(aggregator);
            if (target is not { Admitted: true, Role: Roles.Aggregator })
                throw new LedgerRejection(ReasonCodes.NotAdmitted, $"{aggregator} is not an admitted Aggregator");
            if (index >= 0) throw new LedgerRejection(ReasonCodes.AlreadyExists, $"{member} already delegates to {aggregator}");
            list.Add(ByteString.CopyFrom(aggregator.Bytes));
            context.State.Set(StateKeys.Delegator(aggregator, member), []);
        }
        else
        {
            if (index < 0) throw new LedgerRejection(ReasonCodes.NotFound, $"{member} does not delegate to {aggregator}");
            list.RemoveAt(index);
            context.State.Delete(StateKeys.Delegator(aggregator, member));
        }
        account.Aggregators.Clear();
        account.Aggregators.AddRange(list.OrderBy(a => Convert.ToHexString(a.Span), StringComparer.Ordinal));
        context.Put(account);
    }
}
