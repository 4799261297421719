using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Kernel;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Market.Settlement;

/// <summary>
/// The accounts and statement lines a settlement run touches. Accounts are parsed once, changed in memory and
/// written back once at the end of the run; each settlement event (an interval, a day, a month) keeps one statement
/// line per account it touched, with the balance the account was left with. An event that spans blocks continues its
/// lines: they are written at the end of each run and read back by the next. Every movement of money is a transfer
/// between two accounts here, so a run conserves Σ(balance + escrow) by construction.
/// </summary>
internal sealed class SettlementBook(LedgerContext context)
{
    private readonly Dictionary<Address, AccountState> _accounts = [];
    private readonly Dictionary<Address, StatementLine> _lines = [];
    private ulong _eventTime;
    private string _eventKind = "";
    private bool _continued;

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

    /// <summary>The account as this run has it, without taking it into the run (so it is not written back unchanged).</summary>
    public AccountState? Peek(Address address) => _accounts.TryGetValue(address, out var account) ? account : Context.Account(address);

    /// <summary>
    /// Starts (or, when <paramref name="continued"/>, resumes in a later block) a settlement event: lines written until
    /// <see cref="EndEvent"/> carry this time and kind; a resumed event's lines continue from what state holds.
    /// </summary>
    public void BeginEvent(ulong time, string kind, bool continued = false)
    {
        _eventTime = time;
        _eventKind = kind;
        _continued = continued;
    }

    /// <summary>The current event's statement line of <paramref name="address"/>.</summary>
    public StatementLine Line(Address address)
    {
        if (_lines.TryGetValue(address, out var line)) return line;
        line = _continued && Context.State.Get(SettlementKeys.Statement(address, _eventTime, _eventKind)) is { } stored
            ? StatementLine.Parser.ParseFrom(stored.AsSpan())
            : new StatementLine { Account = ByteString.CopyFrom(address.Bytes), Time = _eventTime, Kind = _eventKind };
        line.Height = Context.Height;
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
        account.Debt = Saturating.Add(account.Debt, rest - paid);
        var line = Line(address);
        line.DebtAdded = Saturating.Add(line.DebtAdded, rest - paid);
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
            var line = Line(address);
            line.ReceivableAdded = Saturating.Add(line.ReceivableAdded, rest - paid);
        }
        return paid;
    }

    /// <summary>
    /// Pays outstanding receivables in account order from the utility's free balance, as far as it goes, one step per
    /// account paid (<paramref name="step"/> answers whether one is left), from the first receivable key ≥
    /// <paramref name="resumeKey"/> (which it moves on). True when done: nothing left to pay, or nothing to pay with.
    /// </summary>
    public bool PayReceivables(ref string resumeKey, int stepsLeft, Func<bool> step)
    {
        var utility = Account(Utility);
        if (utility.PolrPayable == 0 || utility.Balance == 0) return true;
        // Keys first (no more than can be paid now): paying deletes index entries, and a scan does not walk what
        // changes under it.
        var owed = Context.State.Scan(SettlementKeys.ReceivablePrefix, resumeKey).Select(kv => kv.Key).Take(stepsLeft + 1).ToList();
        foreach (var key in owed)
        {
            if (utility.Balance == 0) return true;
            if (!step()) return false;
            resumeKey = key + "\0";
            var address = Address.FromBytes(Hex.Decode(key[SettlementKeys.ReceivablePrefix.Length..]));
            var account = Account(address);
            ulong paid = Math.Min(utility.Balance, account.PolrReceivable);
            utility.Balance -= paid;
            account.Balance = checked(account.Balance + paid);
            AdjustReceivable(address, account, utility, paid, add: false);
            var line = Line(address);
            line.ReceivablePaid = Saturating.Add(line.ReceivablePaid, paid);
            var utilityLine = Line(Utility);
            utilityLine.PolrPaid = Saturating.Add(utilityLine.PolrPaid, paid);
        }
        return true;
    }

    /// <summary>Moves <paramref name="address"/>'s receivable and the utility's payable together and keeps the index.</summary>
    private void AdjustReceivable(Address address, AccountState account, AccountState utility, ulong amount, bool add)
    {
        bool had = account.PolrReceivable > 0;
        account.PolrReceivable = add ? Saturating.Add(account.PolrReceivable, amount) : checked(account.PolrReceivable - amount);
        utility.PolrPayable = add ? Saturating.Add(utility.PolrPayable, amount) : checked(utility.PolrPayable - amount);
        if (!had && account.PolrReceivable > 0) Context.State.Set(SettlementKeys.Receivable(address), []);
        else if (had && account.PolrReceivable == 0) Context.State.Delete(SettlementKeys.Receivable(address));
    }
}
