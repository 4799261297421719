using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Node.Ledger.State;

/// <summary>
/// Keys of the settlement records, in the scheme of <see cref="StateKeys"/> (numbers as <see cref="StateKeys.Number"/>, lower-case hex).
/// Kept apart from <see cref="StateKeys"/> so settlement can evolve without touching the shared key list.
/// </summary>
public static class SettlementKeys
{
    public const string Cursor = "settlement-cursor";
    public const string IntervalPrefix = "settlement/";
    public const string StatementPrefix = "statement/";
    /// <summary>Index of accounts the POLR owes money (polr_receivable &gt; 0), paid in key order when the utility can.</summary>
    public const string ReceivablePrefix = "polr-receivable/";

    /// <summary>Marks an interval in which some contract starts, so settlement finds the next interval with work by one seek.</summary>
    public const string ContractStartPrefix = "contract-start/";
    /// <summary>A meter's contracted position (owner ‖ Wh) while its interval's settlement spans blocks; gone once settled.</summary>
    public const string PositionPrefix = "settlement-position/";
    /// <summary>Settlement steps that threw and were skipped (<c>SettlementError</c>), by height and order.</summary>
    public const string ErrorPrefix = "settlement-error/";

    public static string Interval(ulong intervalStart) => IntervalPrefix + StateKeys.Number(intervalStart);
    public static string ContractStart(ulong intervalStart)
        => string.Create(ContractStartPrefix.Length + KeyWriter.NumberLength(intervalStart), intervalStart, static (chars, start) =>
        {
            var w = new KeyWriter(chars);
            w.Text(ContractStartPrefix); w.Number(start);
        });
    public static string Position(string meter) => PositionPrefix + meter;
    public static string Error(ulong height, int n) => ErrorPrefix + StateKeys.Number(height) + "/" + StateKeys.Number((ulong)n);
    public static string StatementScan(Address account) => Hex.Encode(StatementPrefix, account.Bytes, "/");
    public static string Statement(Address account, ulong time, string kind) => Hex.Encode(StatementPrefix, account.Bytes, "/" + StateKeys.Number(time) + "/" + kind);
    public static string Receivable(Address account) => Hex.Encode(ReceivablePrefix, account.Bytes, "");
}
