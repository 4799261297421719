using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Node.ProcessState;

/// <summary>
/// The mempool's answer to a submission: OK or a stable reason code (DESIGN.md rule 6), and the transaction id when the
/// bytes hashed. A value, held in the batch's verdict array: one object less per submitted transaction.
/// </summary>
public readonly record struct MempoolVerdict(string Code, string Message, Hash32 TransactionId)
{
    /// <summary>True when the transaction entered the mempool.</summary>
    public bool Accepted => Code == ReasonCodes.Ok;
}
