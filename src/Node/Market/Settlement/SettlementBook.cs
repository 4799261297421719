using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Market.Settlement;

/// <summary>
/// The accounts and statement lines a settlement round touches. Accounts are parsed once, changed in memory and
/// written back once at the end of the round; each settlement event (an interval, a day, a month) writes one
/// statement line per account it touched, with the balance the account was left with. Every movement of money is
/// a transfer between two accounts here, so a round conserves Σ(balance + escrow) by construction.
/// </summary>
internal sealed class SettlementBook(LedgerContext context)
{
    private readonly Dictionary<Address, AccountState> _accounts = [];
    private readonly Dictionary<Address, StatementLine> _lines = [];
    private ulong _eventTime;
    private string _eventKind = "";

    public LedgerContext Context { get; } = context;
    public Address Utility => Context.Parameters.Utility;
    public Address MarketOperator => Context.Parameters.MarketOperator;

    /// <summary>The account as this round has left it so far (created empty if it never existed).</summary>
    public AccountState Account(Address address)
    {
        if (_accounts.TryGetValue(address, out var account)) return account;
        account = Context.Account(address) ?? new AccountState { Address = ByteString.CopyFrom(address.Bytes) };
        _accounts.Add(address, account);
        return account;
    }

    /// <summary>Starts a settlement event: lines written until <see cref="EndEvent"/> carry this time and kind.</summary>
    public void BeginEvent(ulong time, string kind)
    {
        _eventTime = time;
        _eventKind = kind;
    }

    /// <summary>The current event's statement line of <paramref name="address"/>.</summary>
    public StatementLine Line(Address address)
    {
        if (_lines.TryGetValue(address, out var line)) return line;
        line = new StatementLine { Account = ByteString.CopyFrom(address.Bytes), Time = _eventTime, Kind = _eventKind, Height = Context.Height };
        _lines.Add(address, line);
        return line;
    }

    /// <summary>Writes the event's lines with each account's balance, escrow and debt as the event left them.</summary>
    public void EndEvent()
    {
        foreach (var (address, line) in _lines)
        {
            var account = Account(address);
            line.BalanceAfter = account.Balance;
            line.EscrowAfter = account.Escrow;
            line.DebtAfter = account.Debt;
            Context.State.Set(SettlementKeys.Statement(address, line.Time, line.Kind), line.ToByteArray());
        }
        _lines.Clear();
    }

    /// <summary>Writes every touched account back to state (the overlay sorts the writes).</summary>
    public void Flush()
    {
        foreach (var account in _accounts.Values) Context.Put(account);
    }

    /// <summary>
    /// <paramref name="address"/> owes the POLR <paramref name="amount"/>: it first offsets what the POLR owes it,
    /// then comes from its free balance, and any rest becomes debt (which blocks new contracts until a deposit
    /// clears it; the deposit then pays the utility). Returns the part paid from the balance.
    /// </summary>
    public ulong ChargeForPolr(Address address, ulong amount)
    {
        if (amount == 0 || address == Utility) return 0;
        var account = Account(address);
        var utility = Account(Utility);
        ulong offset = Math.Min(account.PolrReceivable, amount);
        if (offset > 0) AdjustReceivable(address, account, utility, offset, add: false);
        ulong rest = amount - offset;
        ulong paid = Math.Min(account.Balance, rest);
        account.Balance -= paid;
        utility.Balance = checked(utility.Balance + paid);
        account.Debt = checked(account.Debt + (rest - paid));
        Line(address).DebtAdded += rest - paid;
        return paid;
    }

    /// <summary>
    /// The POLR owes <paramref name="address"/> <paramref name="amount"/>: it first offsets the account's debt, then
    /// comes from the utility's free balance, and any rest is recorded as a receivable of the account and a payable
    /// of the utility (balances never go negative; the utility pays receivables as soon as it holds funds).
    /// Returns the part the utility paid from its balance.
    /// </summary>
    public ulong CreditFromPolr(Address address, ulong amount)
    {
        if (amount == 0 || address == Utility) return 0;
        var account = Account(address);
        var utility = Account(Utility);
        ulong offset = Math.Min(account.Debt, amount);
        account.Debt -= offset;
        ulong rest = amount - offset;
        ulong paid = Math.Min(utility.Balance, rest);
        utility.Balance -= paid;
        account.Balance = checked(account.Balance + paid);
        if (rest > paid)
        {
            AdjustReceivable(address, account, utility, rest - paid, add: true);
            Line(address).ReceivableAdded += rest - paid;
        }
        return paid;
    }

    /// <summary>Pays outstanding receivables in account order from the utility's free balance, as far as it goes.</summary>
    public void PayReceivables()
    {
        var utility = Account(Utility);
        if (utility.PolrPayable == 0 || utility.Balance == 0) return;
        var owed = Context.State.Scan(SettlementKeys.ReceivablePrefix).Select(kv => kv.Key).ToList();
        foreach (var key in owed)
        {
            if (utility.Balance == 0) break;
            var address = Address.FromBytes(Hex.Decode(key[SettlementKeys.ReceivablePrefix.Length..]));
            var account = Account(address);
            ulong paid = Math.Min(utility.Balance, account.PolrReceivable);
            utility.Balance -= paid;
            account.Balance = checked(account.Balance + paid);
            AdjustReceivable(address, account, utility, paid, add: false);
            Line(address).ReceivablePaid += paid;
            Line(Utility).PolrPaid += paid;
        }
    }

    /// <summary>Moves <paramref name="address"/>'s receivable and the utility's payable together and keeps the index.</summary>
    private void AdjustReceivable(Address address, AccountState account, AccountState utility, ulong amount, bool add)
    {
        bool had = account.PolrReceivable > 0;
        account.PolrReceivable = add ? checked(account.PolrReceivable + amount) : checked(account.PolrReceivable - amount);
        utility.PolrPayable = add ? checked(utility.PolrPayable + amount) : checked(utility.PolrPayable - amount);
        if (!had && account.PolrReceivable > 0) Context.State.Set(SettlementKeys.Receivable(address), []);
        else if (had && account.PolrReceivable == 0) Context.State.Delete(SettlementKeys.Receivable(address));
    }
}
