using Google.Protobuf;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Market;

/// <summary>
/// Fee schedule history: each part (DMO, grid, POLR) is a series of versions keyed by the interval they take
/// effect from. The version in force at a time is the latest one whose effectiveFrom ≤ that time.
/// </summary>
public static class FeeSchedule
{
    public static SetDmoFees DmoAt(IStateReader state, ulong time) => At(state, StateKeys.DmoFeesPrefix, time, SetDmoFees.Parser);
    public static SetGridFees GridAt(IStateReader state, ulong time) => At(state, StateKeys.GridFeesPrefix, time, SetGridFees.Parser);
    public static SetPolrTariff PolrAt(IStateReader state, ulong time) => At(state, StateKeys.PolrTariffPrefix, time, SetPolrTariff.Parser);

    private static T At<T>(IStateReader state, string prefix, ulong time, MessageParser<T> parser) where T : IMessage<T>
    {
        var limit = prefix + StateKeys.Number(time);
        byte[]? found = null;
        foreach (var (key, value) in state.Scan(prefix))
        {
            if (string.CompareOrdinal(key, limit) > 0) break;
            found = value;
        }
        // Genesis always writes a version effective from 0, so a chain has a schedule at every time.
        return found is null ? throw new InvalidOperationException($"no fee schedule under {prefix} at {time}") : parser.ParseFrom(found);
    }
}
