using System.Runtime.InteropServices;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Ledger.Kernel;

/// <summary>
/// An unexpected exception that execution turned into a deterministic outcome — a transaction refused with
/// EXECUTION_FAILED, or a settlement item skipped — handed to the host with its stack so it can log it once. The
/// executor itself stays pure: it never logs.
/// </summary>
public sealed record ExecutionFault(ulong Height, int Position, Hash32? TransactionId, string What, Exception Exception)
{
    /// <summary>
    /// Exceptions that say the process or this node is broken, not the transaction: out of memory, stack exhaustion,
    /// a broken runtime or install, a failed read of committed state. Turning one into a refusal would commit an
    /// outcome other nodes do not compute, so execution lets them through (the block fails, or the process dies).
    /// </summary>
    public static bool IsFatal(Exception e) => e is OutOfMemoryException or InsufficientExecutionStackException or StackOverflowException
        or AccessViolationException or SEHException or BadImageFormatException or TypeLoadException or TypeInitializationException
        or MissingMemberException or InvalidProgramException or ThreadInterruptedException or OperationCanceledException
        or StateReadException;

    /// <summary>
    /// What a refusal or a settlement record says about <paramref name="e"/>: what failed and the exception's type, never
    /// its message. Results and records are hashed into the app hash, and the runtime's exception texts are not ours: a
    /// patch release that rewords one would fork validators on different patches. Type names are stable API. The message
    /// and the stack go to the node's log (<see cref="Exception"/>).
    /// </summary>
    public static string Describe(string what, Exception e) => $"{what} failed: {StableName(e.GetType())}";

    // FullName of a closed generic type carries its arguments' assembly versions; its definition's does not.
    private static string StableName(Type type) => (type.IsGenericType ? type.GetGenericTypeDefinition() : type).FullName ?? type.Name;
}
