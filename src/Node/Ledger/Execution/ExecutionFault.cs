using System.Runtime.InteropServices;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Ledger.Execution;

/// <summary>
/// An unexpected exception that execution turned into a deterministic outcome — a transaction refused with
/// EXECUTION_FAILED, or a settlement item skipped — handed to the host with its stack so it can log it once. The
/// executor itself stays pure: it never logs.
/// </summary>
public sealed record ExecutionFault(ulong Height, int Position, Hash32? TransactionId, string What, Exception Exception)
{
    /// <summary>Longest exception message a result or settlement record carries.</summary>
    public const int MaxMessageChars = 500;

    /// <summary>
    /// Exceptions that say the process or this node is broken, not the transaction: out of memory, stack exhaustion,
    /// a broken runtime or install, a failed read of committed state. Turning one into a refusal would commit an
    /// outcome other nodes do not compute, so execution lets them through (the block fails, or the process dies).
    /// </summary>
    public static bool IsFatal(Exception e) => e is OutOfMemoryException or InsufficientExecutionStackException or StackOverflowException
        or AccessViolationException or SEHException or BadImageFormatException or TypeLoadException or TypeInitializationException
        or MissingMemberException or InvalidProgramException or ThreadInterruptedException or OperationCanceledException
        or StateReadException;

    /// <summary>What a refusal says about <paramref name="e"/>: its type and message, no stack, bounded.</summary>
    public static string Describe(Exception e)
    {
        var text = $"{e.GetType().Name}: {e.Message}";
        return text.Length <= MaxMessageChars ? text : text[..MaxMessageChars] + "…";
    }
}
