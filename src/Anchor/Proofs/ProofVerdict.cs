namespace P2PEnergy.Anchor.Proofs;

/// <summary>
/// What checking a proof found: <see cref="Holds"/> with the facts established, or the first failed check as a stable
/// reason code (<see cref="ProofReasons"/>) and a message naming the value at fault.
/// </summary>
public sealed record ProofVerdict(string? Code, string Message, IReadOnlyList<string> Facts)
{
    public bool Holds => Code is null;

    public static ProofVerdict Fail(string code, string message, IReadOnlyList<string> facts) => new(code, message, facts);
}

/// <summary>The reason codes of a failed proof (docs/anchoring.md lists them with what each means).</summary>
public static class ProofReasons
{
    public const string Malformed = "MALFORMED_PROOF";
    public const string WrongChain = "WRONG_CHAIN";
    public const string ContractIdMismatch = "CONTRACT_ID_MISMATCH";
    public const string BadSignature = "BAD_SIGNATURE";
    public const string OfferMismatch = "OFFER_MISMATCH";
    public const string NotInBlock = "NOT_IN_BLOCK";
    public const string HeaderChainBroken = "HEADER_CHAIN_BROKEN";
    public const string MissingValidatorSet = "MISSING_VALIDATOR_SET";
    public const string CommitInvalid = "COMMIT_INVALID";
    public const string InsufficientPower = "INSUFFICIENT_POWER";
    public const string NotAnchored = "NOT_ANCHORED";
    public const string AnchorConflict = "ANCHOR_CONFLICT";
    public const string WrongLedger = "WRONG_LEDGER";
}
