using System.Buffers.Binary;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Grid;

/// <summary>
/// The grid's part of ledger state, beside <see cref="StateKeys"/>: the flow book's truth is each meter's net
/// contracted export per interval (branch flows follow from it, the model and the baseline); a revision per interval —
/// a hash chain over every change of its inputs — names the interval's history, so an in-memory flow book knows it is
/// current; one index key lists every installed model (its effectiveFrom and hash), so finding the model in force is
/// one read, not a scan.
/// </summary>
public static class GridState
{
    public const string InjectionPrefix = "grid/injection/";
    public const string RevisionPrefix = "grid/revision/";
    /// <summary>The installed models: (effectiveFrom u64 big-endian ‖ keccak256 of the file) per model, ascending.</summary>
    public const string ModelIndex = "grid/models";

    /// <summary>Net contracted export (W, negative = import) of a meter in an interval; absent means zero.</summary>
    public static string Injection(ulong interval, string meter) => InjectionPrefix + StateKeys.Number(interval) + "/" + meter;
    public static string InjectionScan(ulong interval) => InjectionPrefix + StateKeys.Number(interval) + "/";
    public static string Revision(ulong interval) => RevisionPrefix + StateKeys.Number(interval);
    public static string BaselineScan(ulong interval) => StateKeys.BaselinePrefix + StateKeys.Number(interval) + "/";

    public static byte[] Encode(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }

    public static long Decode(byte[]? bytes) => bytes is null ? 0 : BinaryPrimitives.ReadInt64BigEndian(bytes);

    /// <summary>What changed an interval's flow inputs: the first byte of each link of its revision chain.</summary>
    public enum Change : byte
    {
        Contract = 1,
        Baseline = 2,
    }

    /// <summary>The interval's revision: zero before any change, then the last link of its hash chain.</summary>
    public static Hash32 RevisionOf(IStateReader state, ulong interval)
        => state.Get(Revision(interval)) is { Length: 32 } bytes ? Hash32.FromBytes(bytes) : Hash32.Zero;

    /// <summary>
    /// Records a change of an interval's flow inputs (injections, baseline): revision' = keccak256(revision ‖ kind ‖ id)
    /// with the contract id or the SetBaseline payload id, each of which commits once. Unlike a counter, two histories
    /// share a revision only if they made the same changes in the same order — and then they built the same book — so
    /// a cached book keyed by revision can never stand in for another history's (a refused contract, an abandoned block).
    /// </summary>
    public static Hash32 AdvanceRevision(StateOverlay state, ulong interval, Change kind, Hash32 id)
    {
        Span<byte> link = stackalloc byte[65];
        RevisionOf(state, interval).Bytes.CopyTo(link);
        link[32] = (byte)kind;
        id.Bytes.CopyTo(link[33..]);
        var next = Keccak256.Hash(link);
        state.Set(Revision(interval), next.ToArray());
        return next;
    }

    public static void SetInjection(StateOverlay state, ulong interval, string meter, long net)
    {
        if (net == 0) state.Delete(Injection(interval, meter)); else state.Set(Injection(interval, meter), Encode(net));
    }

    /// <summary>Writes a model's file and adds it to the index, for the intervals from <paramref name="effectiveFrom"/>.</summary>
    public static void InstallModel(StateOverlay state, ulong effectiveFrom, byte[] file, Hash32 hash)
    {
        var models = Models(state);
        if (models.Any(m => m.EffectiveFrom == effectiveFrom)) throw new InvalidOperationException($"a grid model is already installed from {effectiveFrom}");
        models.Add((effectiveFrom, hash));
        models.Sort((a, b) => a.EffectiveFrom.CompareTo(b.EffectiveFrom));
        var index = new byte[models.Count * 40];
        for (int i = 0; i < models.Count; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(index.AsSpan(i * 40), models[i].EffectiveFrom);
            models[i].Hash.Bytes.CopyTo(index.AsSpan(i * 40 + 8));
        }
        state.Set(StateKeys.GridModel(effectiveFrom), file);
        state.Set(ModelIndex, index);
    }

    /// <summary>Every installed model's effectiveFrom and hash, ascending.</summary>
    public static List<(ulong EffectiveFrom, Hash32 Hash)> Models(IStateReader state)
    {
        var index = state.Get(ModelIndex) ?? [];
        var models = new List<(ulong, Hash32)>(index.Length / 40);
        for (int i = 0; i + 40 <= index.Length; i += 40)
            models.Add((BinaryPrimitives.ReadUInt64BigEndian(index.AsSpan(i)), Hash32.FromBytes(index.AsSpan(i + 8, 32))));
        return models;
    }

    /// <summary>The effectiveFrom and hash of the model in force at <paramref name="interval"/>, if any.</summary>
    public static (ulong EffectiveFrom, Hash32 Hash)? ModelAt(IStateReader state, ulong interval)
    {
        (ulong, Hash32)? found = null;
        foreach (var model in Models(state))
        {
            if (model.EffectiveFrom > interval) break;
            found = model;
        }
        return found;
    }

    /// <summary>The planner's baseline entries for an interval, in element order.</summary>
    public static IEnumerable<BaselineEntry> Baseline(IStateReader state, ulong interval)
        => state.Scan(BaselineScan(interval)).Select(kv => BaselineEntry.Parser.ParseFrom(kv.Value.AsSpan()));

    /// <summary>Each meter with a non-zero contracted net export in an interval, in meter id order.</summary>
    public static IEnumerable<(string Meter, long NetW)> Injections(IStateReader state, ulong interval)
    {
        var prefix = InjectionScan(interval);
        return state.Scan(prefix).Select(kv => (kv.Key[prefix.Length..], Decode(kv.Value)));
    }
}
