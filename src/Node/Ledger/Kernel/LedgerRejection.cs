namespace P2PEnergy.Node.Ledger.Kernel;

/// <summary>A transaction refused with a stable reason code (<see cref="Contracts.Ledger.ReasonCodes"/>) and a message naming the value and the limit.</summary>
public sealed class LedgerRejection(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
