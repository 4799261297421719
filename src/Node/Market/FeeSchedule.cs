using Google.Protobuf;
using Google.Protobuf.Collections;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Market;

/// <summary>
/// Fee schedule history: each part (DMO, grid, POLR) is a series of versions keyed by the interval they take
/// effect from, kept in one <see cref="FeeHistory"/> record per part. The version in force at a time is the
/// latest one whose effectiveFrom ≤ that time; genesis writes a version effective from 0.
/// </summary>
public static class FeeSchedule
{
    public static SetDmoFees DmoAt(IStateReader state, ulong time) => At(Read(state, StateKeys.DmoFees).Dmo, time, v => v.EffectiveFrom, StateKeys.DmoFees);
    public static SetGridFees GridAt(IStateReader state, ulong time) => At(Read(state, StateKeys.GridFees).Grid, time, v => v.EffectiveFrom, StateKeys.GridFees);
    public static SetPolrTariff PolrAt(IStateReader state, ulong time) => At(Read(state, StateKeys.PolrTariff).Polr, time, v => v.EffectiveFrom, StateKeys.PolrTariff);

    /// <summary>Adds a version; one with the same effectiveFrom replaces the earlier announcement.</summary>
    public static void Put(StateOverlay state, SetDmoFees version) => Update(state, StateKeys.DmoFees, h => Insert(h.Dmo, version, v => v.EffectiveFrom));
    public static void Put(StateOverlay state, SetGridFees version) => Update(state, StateKeys.GridFees, h => Insert(h.Grid, version, v => v.EffectiveFrom));
    public static void Put(StateOverlay state, SetPolrTariff version) => Update(state, StateKeys.PolrTariff, h => Insert(h.Polr, version, v => v.EffectiveFrom));

    /// <summary>The history under <paramref name="key"/>, decoded once per stored value where the reader's host keeps decodings. Callers must not change it.</summary>
    private static FeeHistory Read(IStateReader state, string key)
    {
        if (state.Get(key) is not { } bytes) return Empty;
        // State readers hand out the same array for as long as a value is unchanged (the committed-state cache, the
        // overlays above it), so held by that array every contract's two fee lookups cost a lookup instead of a parse
        // and its garbage.
        return state.Decodings is { } decodings ? decodings.Decoded(bytes, bytes, Decode) : Decode(bytes);
    }

    private static readonly Func<byte[], FeeHistory> Decode = bytes => FeeHistory.Parser.ParseFrom(bytes.AsSpan());
    private static readonly FeeHistory Empty = new();

    private static void Update(StateOverlay state, string key, Action<FeeHistory> change)
    {
        // A private copy: the decoded history of Read is shared and must stay as stored.
        var history = state.Get(key) is { } bytes ? FeeHistory.Parser.ParseFrom(bytes.AsSpan()) : new FeeHistory();
        change(history);
        state.Set(key, history.ToByteArray());
    }

    private static void Insert<T>(RepeatedField<T> versions, T version, Func<T, ulong> effective)
    {
        int at = 0;
        while (at < versions.Count && effective(versions[at]) < effective(version)) at++;
        if (at < versions.Count && effective(versions[at]) == effective(version)) versions[at] = version;
        else versions.Insert(at, version);
    }

    private static T At<T>(RepeatedField<T> versions, ulong time, Func<T, ulong> effective, string key) where T : IMessage<T>
    {
        for (int i = versions.Count - 1; i >= 0; i--)
            if (effective(versions[i]) <= time) return versions[i];
        // Genesis always writes a version effective from 0, so a chain has a schedule at every time.
        throw new InvalidOperationException($"no fee schedule version in {key} at {time}");
    }
}
