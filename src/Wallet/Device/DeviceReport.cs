using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Wallet.Device;

/// <summary>
/// One handled interval, for the status line and the --json stream: the node's instruction, the (deviated) setpoint,
/// what the device did, and how the node took the signed reading (<c>OK</c> or a reason code).
/// </summary>
public sealed record DeviceReport(
    string Meter,
    DispatchInstruction Instruction,
    long SetpointNetExportWh,
    DeviceStep Step,
    string TransactionId,
    string Code,
    string Message)
{
    public ulong IntervalStart => Instruction.IntervalStart;
    public long TargetNetExportWh => Instruction.NetExportWh;
    public bool Accepted => Code == ReasonCodes.Ok;
}
