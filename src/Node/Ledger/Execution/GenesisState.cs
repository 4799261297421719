using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Market;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Node.Ledger.Execution;

/// <summary>The state a genesis document creates at height 0, and its app hash (chained from zero).</summary>
public static class GenesisState
{
    /// <summary>
    /// Builds genesis state. <paramref name="gridModel"/> is the content of the document's gridModelFile (the caller
    /// resolves the path); it must hash to gridModelHash and place every genesis meter on a service point.
    /// </summary>
    public static (IReadOnlyList<StateChange> Changes, Hash32 AppHash) Build(GenesisDocument genesis, byte[]? gridModel = null)
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
            state.Set(StateKeys.MeterByOwner(Address.Parse(meter.Owner), meter.Meter), []);
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
        InstallGridModel(state, genesis, gridModel);
        var changes = state.Changes();
        return (changes, AppHash.Next(Hash32.Zero, changes));
    }

    private static void InstallGridModel(StateOverlay state, GenesisDocument genesis, byte[]? file)
    {
        if (genesis.GridModelFile is null)
        {
            if (file is not null) throw new GenesisException("a grid model was supplied but genesis names no gridModelFile");
            return;
        }
        if (file is null) throw new GenesisException($"gridModelFile {genesis.GridModelFile} was not supplied");
        var hash = Keccak256.Hash(file);
        Hash32? expected = null;
        try { expected = Hash32.Parse(genesis.GridModelHash ?? ""); } catch (FormatException) { } catch (ArgumentException) { }
        if (expected != hash)
            throw new GenesisException($"gridModelHash {genesis.GridModelHash} does not match {genesis.GridModelFile}, which hashes to {hash}");
        try
        {
            var model = Grid.GridModel.Load(file);
            foreach (var meter in genesis.Meters) model.RequireServicePoint(meter.GridNode, meter.Meter);
        }
        catch (Grid.GridModelException e) { throw new GenesisException($"{genesis.GridModelFile}: {e.Message}"); }
        Grid.GridState.InstallModel(state, 0, file, hash);
    }

    private sealed class EmptyState : IStateReader
    {
        public static readonly EmptyState Instance = new();
        public byte[]? Get(string key) => null;
        public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix) => [];
        public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix, string from) => [];
    }
}
