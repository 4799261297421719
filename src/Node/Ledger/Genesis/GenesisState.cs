using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Market;

namespace P2PEnergy.Node.Ledger.Genesis;

/// <summary>The state a genesis document creates at height 0, and its app hash (chained from zero).</summary>
public static class GenesisState
{
    public static (IReadOnlyList<StateChange> Changes, Hash32 AppHash) Build(GenesisDocument genesis)
    {
        var p = genesis.ToParameters();
        var state = new StateOverlay(EmptyState.Instance);
        void Put(string key, IMessage value) => state.Set(key, value.ToByteArray());
        void Authority(Address address, string role, string name)
            => Put(StateKeys.Account(address), new AccountState { Address = ByteString.CopyFrom(address.Bytes), Role = role, Name = name });
        Authority(p.Utility, Roles.Utility, "utility");
        if (p.MarketOperator != p.Utility) Authority(p.MarketOperator, Roles.MarketOperator, "market operator");
        if (p.Planner != p.Utility && p.Planner != p.MarketOperator) Authority(p.Planner, Roles.Planner, "planner");
        if (p.Regulator != p.Utility && p.Regulator != p.MarketOperator && p.Regulator != p.Planner) Authority(p.Regulator, Roles.Regulator, "regulator");
        foreach (var participant in genesis.Participants)
        {
            var address = Address.Parse(participant.Address);
            Put(StateKeys.Account(address), new AccountState
            {
                Address = ByteString.CopyFrom(address.Bytes), Role = participant.Role, Name = participant.Name,
                Admitted = true, Balance = participant.Deposit,
            });
        }
        foreach (var meter in genesis.Meters)
        {
            Put(StateKeys.Meter(meter.Meter), new MeterState
            {
                Meter = meter.Meter, Owner = ByteString.CopyFrom(Address.Parse(meter.Owner).Bytes), GridNode = meter.GridNode,
                Device = ByteString.CopyFrom(Address.Parse(meter.Device).Bytes), ImportLimitW = meter.ImportLimitW,
                ExportLimitW = meter.ExportLimitW, PowerFactorMilli = meter.PowerFactorMilli,
            });
        }
        var f = genesis.Fees;
        FeeSchedule.Put(state, new SetDmoFees { FixedPerContract = f.DmoFixedPerContract, PerKwh = f.DmoPerKwh, BuyerSharePermille = f.DmoBuyerSharePermille, SubscriptionPerMonth = f.DmoSubscriptionPerMonth });
        FeeSchedule.Put(state, new SetGridFees { SameTransformerPerKwh = f.GridSameTransformerPerKwh, SameFeederPerKwh = f.GridSameFeederPerKwh, SameSubstationPerKwh = f.GridSameSubstationPerKwh, AcrossSubstationsPerKwh = f.GridAcrossSubstationsPerKwh });
        var polr = new SetPolrTariff { StandbyPerDay = f.PolrStandbyPerDay };
        polr.Prices.AddRange(f.PolrPrices.Select(b => new PolrPrice { FromMinute = b.FromMinute, SellPerKwh = b.SellPerKwh, BuyPerKwh = b.BuyPerKwh }));
        FeeSchedule.Put(state, polr);
        var changes = state.Changes();
        return (changes, AppHash.Next(Hash32.Zero, changes));
    }

    private sealed class EmptyState : IStateReader
    {
        public static readonly EmptyState Instance = new();
        public byte[]? Get(string key) => null;
        public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix) => [];
    }
}
