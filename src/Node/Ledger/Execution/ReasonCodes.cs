namespace P2PEnergy.Node.Ledger.Execution;

/// <summary>
/// The stable reason codes of DESIGN.md rule 6. Clients match on these strings; never rename one, only add.
/// </summary>
public static class ReasonCodes
{
    public const string Ok = "OK";
    public const string Malformed = "MALFORMED";
    public const string WrongChain = "WRONG_CHAIN";
    public const string BadSignature = "BAD_SIGNATURE";
    public const string Unauthorized = "UNAUTHORIZED";
    public const string NotAdmitted = "NOT_ADMITTED";
    public const string Suspended = "SUSPENDED";
    public const string OperatorMayNotTrade = "OPERATOR_MAY_NOT_TRADE";
    public const string UtilityMayNotTrade = "UTILITY_MAY_NOT_TRADE";
    public const string SelfTrade = "SELF_TRADE";
    public const string InsufficientFunds = "INSUFFICIENT_FUNDS";
    public const string NonceReused = "NONCE_REUSED";
    public const string Expired = "EXPIRED";
    public const string GateClosed = "GATE_CLOSED";
    public const string InvalidArgument = "INVALID_ARGUMENT";
    public const string AlreadyExists = "ALREADY_EXISTS";
    public const string NotFound = "NOT_FOUND";
    public const string UnknownMeter = "UNKNOWN_METER";
    public const string MeterNotOwned = "METER_NOT_OWNED";
    public const string OfferClosed = "OFFER_CLOSED";
    public const string OfferExceeded = "OFFER_EXCEEDED";
    public const string DuplicateReading = "DUPLICATE_READING";
    public const string ReadingWindowClosed = "READING_WINDOW_CLOSED";
    public const string IntervalNotEnded = "INTERVAL_NOT_ENDED";
    public const string NotInFuture = "NOT_IN_FUTURE";
    public const string InDebt = "IN_DEBT";
    public const string ThermalLimit = "THERMAL_LIMIT";
    public const string VoltageLimit = "VOLTAGE_LIMIT";
    public const string MeterLimit = "METER_LIMIT";
    public const string NotAParty = "NOT_A_PARTY";
    public const string ReadingOutOfRange = "READING_OUT_OF_RANGE";
    public const string StartTooFar = "START_TOO_FAR";
    /// <summary>A handler threw something other than a refusal (a bug): that transaction alone is refused, its writes dropped.</summary>
    public const string ExecutionFailed = "EXECUTION_FAILED";
    // Mempool-only verdicts.
    public const string Duplicate = "DUPLICATE";
    public const string MempoolFull = "MEMPOOL_FULL";
    public const string TooLarge = "TOO_LARGE";
}

/// <summary>A transaction refused with a stable reason code and a message naming the value and the limit.</summary>
public sealed class LedgerRejection(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
