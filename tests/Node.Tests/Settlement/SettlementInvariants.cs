using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Market.Settlement;

namespace P2PEnergy.Node.Tests.Settlement;

/// <summary>
/// What settlement must keep true after every block (DESIGN.md rule 5), checked from state alone: escrow held equals
/// what live contracts have not yet released; each settled interval released exactly its payments plus fees; the
/// POLR's net supply equals the negated sum of imbalances and the metered net import of the interval; and the
/// POLR's recorded payable equals the receivables of the accounts it owes.
/// </summary>
public static class SettlementInvariants
{
    public static void Assert(IStateReader state, ulong intervalSeconds)
    {
        ulong escrowHeld = 0, receivables = 0, payable = 0;
        foreach (var (_, value) in state.Scan(StateKeys.AccountPrefix))
        {
            var account = AccountState.Parser.ParseFrom(value);
            escrowHeld += account.Escrow;
            receivables += account.PolrReceivable;
            payable += account.PolrPayable;
            Xunit.Assert.Equal(account.PolrReceivable > 0, state.Get(SettlementKeys.Receivable(Contracts.Crypto.Address.FromBytes(account.Address.Span))) is not null);
        }
        Xunit.Assert.Equal(receivables, payable);

        // Every contract has one interval index entry; an interval settling over several blocks has released the
        // instalments of the entries before its resume point.
        ulong escrowOwed = 0;
        int indexed = 0;
        foreach (var (key, value) in state.Scan(StateKeys.ContractByIntervalPrefix))
        {
            var due = ContractDue.Parser.ParseFrom(value);
            var contract = new ContractState { Terms = new EnergyContract { IntervalCount = due.IntervalCount }, Payment = due.Payment, DmoFeeBuyer = due.DmoFeeBuyer, GridFee = due.GridFee };
            escrowOwed += due.Payment + due.DmoFeeBuyer + due.GridFee - ContractInstalment.Released(contract, SettlementProgress.InstalmentsReleased(state, key, due, intervalSeconds));
            indexed++;
        }
        Xunit.Assert.Equal(state.Scan(StateKeys.ContractPrefix).Count(), indexed);
        Xunit.Assert.Equal(escrowOwed, escrowHeld);

        foreach (var (_, value) in state.Scan(SettlementKeys.IntervalPrefix))
        {
            var s = IntervalSettlement.Parser.ParseFrom(value);
            Xunit.Assert.Equal(s.EscrowReleased, s.ContractPayments + s.DmoFeesBuyer + s.GridFees);
            long polrNetSupply = (long)s.PolrSuppliedWh - (long)s.PolrAbsorbedWh;
            Xunit.Assert.Equal(-s.ImbalanceWh, polrNetSupply);
            // Contracts net to zero across meters, so the POLR supplies exactly the metered net import.
            long meteredNetImport = 0;
            foreach (var (_, reading) in state.Scan(StateKeys.Reading(s.IntervalStart, "")))
            {
                var r = MeterReading.Parser.ParseFrom(reading);
                meteredNetImport += (long)r.ImportWh - (long)r.ExportWh;
            }
            Xunit.Assert.Equal(meteredNetImport, polrNetSupply);
        }
    }
}
