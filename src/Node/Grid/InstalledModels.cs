using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Grid;

/// <summary>
/// Installed grid models. A 10,000-node file takes milliseconds to parse, and every contract check and meter
/// registration needs the model in force, so a reader whose host keeps decodings (<see cref="IStateDecodings"/>) parses
/// each model once; others parse on every read. Held by the hash in the model index, never by the file's state key, so
/// two forks that installed different files at the same interval never share an entry.
/// </summary>
public static class InstalledModels
{
    /// <summary>The model installed from <paramref name="effectiveFrom"/>.</summary>
    public static GridModel Get(IStateReader state, ulong effectiveFrom, Hash32 hash)
        => state.Decodings is { } decodings ? decodings.Decoded(hash, (state, effectiveFrom), static read => Load(read.state, read.effectiveFrom)) : Load(state, effectiveFrom);

    private static GridModel Load(IStateReader state, ulong effectiveFrom)
    {
        var file = state.Get(StateKeys.GridModel(effectiveFrom)) ?? throw new InvalidOperationException($"grid model hash at {effectiveFrom} without its file");
        return GridModel.Load(file);
    }

    /// <summary>The model in force at <paramref name="interval"/>, or null before the first one.</summary>
    public static GridModel? At(IStateReader state, ulong interval)
        => GridState.ModelAt(state, interval) is { } version ? Get(state, version.EffectiveFrom, version.Hash) : null;

    /// <summary>Every installed model (in force now or later), by effectiveFrom ascending.</summary>
    public static IEnumerable<(ulong EffectiveFrom, GridModel Model)> All(IStateReader state)
    {
        foreach (var (from, hash) in GridState.Models(state)) yield return (from, Get(state, from, hash));
    }

    /// <summary>The models in force at some time in [<paramref name="from"/>, <paramref name="until"/>).</summary>
    public static IEnumerable<GridModel> InForceDuring(IStateReader state, ulong from, ulong until)
    {
        var all = All(state).ToList();
        for (int i = 0; i < all.Count; i++)
        {
            ulong end = i + 1 < all.Count ? all[i + 1].EffectiveFrom : ulong.MaxValue;
            if (all[i].EffectiveFrom < until && end > from) yield return all[i].Model;
        }
    }

    /// <summary>The model in force at <paramref name="interval"/> among <paramref name="installed"/> (ascending), or null.</summary>
    public static GridModel? At(IReadOnlyList<(ulong EffectiveFrom, GridModel Model)> installed, ulong interval)
    {
        GridModel? found = null;
        foreach (var (from, model) in installed)
        {
            if (from > interval) break;
            found = model;
        }
        return found;
    }
}
