using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Market.Dispatch;

/// <summary>
/// Dispatch instructions from committed contracts (DESIGN.md "Self-dispatch"): per meter and interval, the net
/// contracted export in Wh and as average W, with the contracts behind it. Final once the interval's gate has closed,
/// because no contract for it can commit after that; before then it is only the current state of the book.
/// </summary>
public static class DispatchSchedule
{
    /// <summary>The instant after which no contract for <paramref name="intervalStart"/> can commit.</summary>
    public static ulong GateClosure(ChainParameters p, ulong intervalStart)
        => intervalStart > p.GateClosureSeconds ? intervalStart - p.GateClosureSeconds : 0;

    /// <summary>Every meter's instruction for one interval, from the index of contracts not yet settled.</summary>
    public static IReadOnlyDictionary<string, DispatchInstruction> ForInterval(IStateReader state, ChainParameters p, ulong intervalStart)
    {
        var instructions = new SortedDictionary<string, DispatchInstruction>(StringComparer.Ordinal);
        // Entries are keyed by contract end: the range from "ends after the interval's start" holds every contract
        // running in it (and later ones, skipped); each entry carries the terms dispatch needs.
        foreach (var (_, value) in state.Scan(StateKeys.ContractByIntervalPrefix, StateKeys.ContractByIntervalEndingAfter(intervalStart)))
        {
            var contract = ContractDue.Parser.ParseFrom(value.AsSpan());
            if (contract.IntervalStart > intervalStart) continue;
            var id = contract.Id;
            Add(Instruction(instructions, contract.SellerMeter, intervalStart), id, contract.WhPerInterval, contract.BuyerMeter, sell: true, p);
            Add(Instruction(instructions, contract.BuyerMeter, intervalStart), id, contract.WhPerInterval, contract.SellerMeter, sell: false, p);
        }
        return instructions;
    }

    /// <summary>One meter's instruction, from its owner's contracts (for catch-up beyond what a publisher keeps).</summary>
    public static DispatchInstruction ForMeter(IStateReader state, ChainParameters p, MeterState meter, ulong intervalStart)
    {
        var instruction = new DispatchInstruction { Meter = meter.Meter, IntervalStart = intervalStart };
        var owner = Address.FromBytes(meter.Owner.Span);
        foreach (var (_, id) in state.Scan(StateKeys.ContractByPartyScan(owner)))
        {
            if (id.Length != 32 || state.Get(StateKeys.Contract(Hash32.FromBytes(id))) is not { } bytes) continue;
            var contract = ContractState.Parser.ParseFrom(bytes.AsSpan());
            var t = contract.Terms;
            if (intervalStart < t.IntervalStart || intervalStart >= t.IntervalStart + t.IntervalCount * p.IntervalSeconds) continue;
            if (t.SellerMeter == meter.Meter && t.Seller.Span.SequenceEqual(owner.Bytes)) Add(instruction, contract.Id, t.WhPerInterval, t.BuyerMeter, sell: true, p);
            if (t.BuyerMeter == meter.Meter && t.Buyer.Span.SequenceEqual(owner.Bytes)) Add(instruction, contract.Id, t.WhPerInterval, t.SellerMeter, sell: false, p);
        }
        return instruction;
    }

    private static DispatchInstruction Instruction(SortedDictionary<string, DispatchInstruction> all, string meter, ulong intervalStart)
    {
        if (!all.TryGetValue(meter, out var instruction)) all.Add(meter, instruction = new DispatchInstruction { Meter = meter, IntervalStart = intervalStart });
        return instruction;
    }

    private static void Add(DispatchInstruction instruction, ByteString contractId, ulong whPerInterval, string counterpartyMeter, bool sell, ChainParameters p)
    {
        long wh = sell ? (long)whPerInterval : -(long)whPerInterval;
        instruction.NetExportWh = checked(instruction.NetExportWh + wh);
        // Average power over the interval: W = Wh × 3600 s/h ÷ interval seconds (truncated toward zero).
        instruction.NetExportW = checked(instruction.NetExportWh * 3_600 / (long)p.IntervalSeconds);
        instruction.Contracts.Add(new DispatchContract
        {
            ContractId = contractId, Sell = sell, Wh = whPerInterval, CounterpartyMeter = counterpartyMeter,
        });
    }

    /// <summary>An instruction with nothing to do (no contract for the meter in the interval).</summary>
    public static DispatchInstruction Idle(string meter, ulong intervalStart) => new() { Meter = meter, IntervalStart = intervalStart };
}
