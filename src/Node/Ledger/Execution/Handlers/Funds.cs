using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Node.Ledger.Kernel;

namespace P2PEnergy.Node.Ledger.Execution.Handlers;

/// <summary>Deposit and Withdraw: the only ways money enters or leaves the ledger (DESIGN.md rule 5).</summary>
internal static class Funds
{
    public static void Deposit(LedgerContext context, VerifiedTransaction tx, Deposit deposit)
    {
        context.MarkUsed(tx.PayloadId, "Deposit");
        if (deposit.Amount == 0) throw new LedgerRejection(ReasonCodes.InvalidArgument, "deposit amount must be > 0");
        var address = Authority.Address(deposit.Account, "account");
        var account = context.Account(address);
        if (account is not { Admitted: true } && address != context.Parameters.Utility)
            throw new LedgerRejection(ReasonCodes.NotAdmitted, $"{address} is not an admitted participant");
        account ??= new();
        // A deposit first clears debt owed to the POLR; only the rest becomes spendable.
        ulong toDebt = Math.Min(account.Debt, deposit.Amount);
        account.Debt -= toDebt;
        account.Balance = Credit(account.Balance, deposit.Amount - toDebt, address);
        if (toDebt > 0)
        {
            var utility = context.RequireAccount(context.Parameters.Utility, "utility");
            utility.Balance = Credit(utility.Balance, toDebt, context.Parameters.Utility);
            context.Put(utility);
        }
        context.Put(account);
    }

    private static ulong Credit(ulong balance, ulong amount, Contracts.Crypto.Address account)
        => balance <= ulong.MaxValue - amount ? balance + amount
            : throw new LedgerRejection(ReasonCodes.InvalidArgument,
                $"{account} holds {balance} micro-units; {amount} more exceeds the largest amount the ledger holds ({ulong.MaxValue})");

    public static void Withdraw(LedgerContext context, VerifiedTransaction tx, Withdraw withdraw)
    {
        context.MarkUsed(tx.PayloadId, "Withdraw");
        if (withdraw.Amount == 0) throw new LedgerRejection(ReasonCodes.InvalidArgument, "withdrawal amount must be > 0");
        var address = Authority.Address(withdraw.Account, "account");
        var account = context.Account(address) ?? throw new LedgerRejection(ReasonCodes.NotFound, $"{address} has no account");
        if (account.Balance < withdraw.Amount)
            throw new LedgerRejection(ReasonCodes.InsufficientFunds, $"{address} has {account.Balance} micro-units free, cannot withdraw {withdraw.Amount}");
        account.Balance -= withdraw.Amount;
        context.Put(account);
    }
}
