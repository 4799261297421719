using Grpc.Core;

namespace P2PEnergy.Contracts.Api;

/// <summary>
/// Every reason code the API refuses a call with, each under one gRPC status. Mempool verdicts are not here: they
/// are part of a normal SubmitTransaction response (<c>SubmitTransactionResponse.code</c>), not a failed call.
/// </summary>
public static class ApiReasons
{
    /// <summary>ErrorInfo.domain of every refusal the node sends.</summary>
    public const string Domain = "p2pe.v1";

    /// <summary>A request field is missing or malformed (the message names the field and what it must be).</summary>
    public static readonly ApiReason InvalidField = new("INVALID_FIELD", StatusCode.InvalidArgument);

    /// <summary>An interval start is not a multiple of the chain's interval length.</summary>
    public static readonly ApiReason UnalignedInterval = new("UNALIGNED_INTERVAL", StatusCode.InvalidArgument);

    /// <summary>A page token was not issued for this listing.</summary>
    public static readonly ApiReason BadPageToken = new("BAD_PAGE_TOKEN", StatusCode.InvalidArgument);

    /// <summary>A SubmitTransactions batch holds no envelope or more than the batch limit.</summary>
    public static readonly ApiReason BatchSize = new("BATCH_SIZE", StatusCode.InvalidArgument);

    /// <summary>No account exists at the address asked for.</summary>
    public static readonly ApiReason UnknownAccount = new("UNKNOWN_ACCOUNT", StatusCode.NotFound);

    /// <summary>No meter is registered under the id asked for.</summary>
    public static readonly ApiReason UnknownMeter = new("UNKNOWN_METER", StatusCode.NotFound);

    /// <summary>No committed contract has the id asked for (GetContract, GetContractProof, a statement's contract).</summary>
    public static readonly ApiReason UnknownContract = new("UNKNOWN_CONTRACT", StatusCode.NotFound);

    /// <summary>No block at the height asked for (or none committed yet).</summary>
    public static readonly ApiReason UnknownBlock = new("UNKNOWN_BLOCK", StatusCode.NotFound);

    /// <summary>The interval has not settled yet (it settles when its reading window closes).</summary>
    public static readonly ApiReason NotSettled = new("NOT_SETTLED", StatusCode.NotFound);

    /// <summary>The interval's settlement spans blocks and has not finished (its record appears once it has).</summary>
    public static readonly ApiReason Settling = new("SETTLING", StatusCode.NotFound);

    /// <summary>The interval's settlement failed and was skipped (a SettlementError in state): it has no record and never will.</summary>
    public static readonly ApiReason SettlementFailed = new("SETTLEMENT_FAILED", StatusCode.NotFound);

    /// <summary>The interval asked for ends before the chain's genesis: nothing can ever settle in it.</summary>
    public static readonly ApiReason BeforeGenesis = new("BEFORE_GENESIS", StatusCode.OutOfRange);

    /// <summary>A span holds more statement lines than one answer carries.</summary>
    public static readonly ApiReason TooManyLines = new("TOO_MANY_LINES", StatusCode.OutOfRange);

    /// <summary>A dispatch stream asked to start further back than the node replays.</summary>
    public static readonly ApiReason TooFarBack = new("TOO_FAR_BACK", StatusCode.OutOfRange);

    /// <summary>A device request carries no DeviceAuth.</summary>
    public static readonly ApiReason AuthRequired = new("AUTH_REQUIRED", StatusCode.InvalidArgument);

    /// <summary>A device signature is malformed or does not recover a key.</summary>
    public static readonly ApiReason BadSignature = new("BAD_SIGNATURE", StatusCode.Unauthenticated);

    /// <summary>A DeviceAuth was issued too far from the node's clock.</summary>
    public static readonly ApiReason ClockSkew = new("CLOCK_SKEW", StatusCode.Unauthenticated);

    /// <summary>A DeviceAuth was signed by a key other than the meter's registered device key.</summary>
    public static readonly ApiReason NotDeviceKey = new("NOT_DEVICE_KEY", StatusCode.Unauthenticated);

    /// <summary>A watched transaction left the mempool without committing.</summary>
    public static readonly ApiReason LeftMempool = new("LEFT_MEMPOOL", StatusCode.Aborted);

    /// <summary>A request message is larger than the node accepts (the message names the limit).</summary>
    public static readonly ApiReason MessageTooLarge = new("MESSAGE_TOO_LARGE", StatusCode.ResourceExhausted);

    /// <summary>The request body is not the method's request message (the message names the type).</summary>
    public static readonly ApiReason MalformedRequest = new("MALFORMED_REQUEST", StatusCode.InvalidArgument);

    /// <summary>The node is stopping: a stream waiting for blocks or dispatch instructions ends; reconnect to a node that runs.</summary>
    public static readonly ApiReason ShuttingDown = new("SHUTTING_DOWN", StatusCode.Unavailable);

    /// <summary>A proof's header range is outside the chain or longer than one response may carry.</summary>
    public static readonly ApiReason ProofRange = new("PROOF_RANGE", StatusCode.OutOfRange);

    /// <summary>The node is an observer: it serves reads and refuses every write (submit to a validator instead).</summary>
    public static readonly ApiReason ReadOnlyNode = new("READ_ONLY_NODE", StatusCode.FailedPrecondition);

    /// <summary>The node failed to handle the call (a bug); its log has the details, the client only this code.</summary>
    public static readonly ApiReason InternalError = new("INTERNAL_ERROR", StatusCode.Internal);
}
