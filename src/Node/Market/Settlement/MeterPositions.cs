using System.Buffers.Binary;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Market.Settlement;

/// <summary>One meter in an interval: its contracted net export (Wh, Int128: contracts may carry up to 2^64−1 Wh each) and, once known, its owner.</summary>
internal sealed class MeterPosition(string meter)
{
    public string Meter { get; } = meter;
    public Int128 ContractedWh { get; set; }
    public Address? Owner { get; set; }
}

/// <summary>
/// The contracted positions of the interval being settled, by meter id, as its contract instalments are released.
/// Held in memory while the interval settles within one run; when it spans blocks they go to state under
/// <c>settlement-position/&lt;meter&gt;</c> (owner ‖ Wh as 16 bytes big-endian two's complement) at the end of each run
/// and are deleted as the last pass settles each meter, so an interval that fits one block leaves no trace of them.
/// </summary>
internal sealed class MeterPositions
{
    private readonly Dictionary<string, MeterPosition> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MeterPosition>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

    public MeterPositions() => _bySpan = _byId.GetAlternateLookup<ReadOnlySpan<char>>();

    public int Count => _byId.Count;

    /// <summary>Forgets every position (a new interval begins).</summary>
    public void Clear() => _byId.Clear();

    public MeterPosition Get(ReadOnlySpan<char> id) => _bySpan.TryGetValue(id, out var position) ? position : Add(new string(id));

    private MeterPosition Add(string id)
    {
        var position = new MeterPosition(id);
        _byId.Add(id, position);
        return position;
    }

    /// <summary>The positions with meter id ≥ <paramref name="from"/>, in ordinal id order.</summary>
    public IEnumerable<MeterPosition> From(string from)
    {
        var sorted = _byId.Values.Where(p => string.CompareOrdinal(p.Meter, from) >= 0).ToArray();
        Array.Sort(sorted, (a, b) => string.CompareOrdinal(a.Meter, b.Meter));
        return sorted;
    }

    /// <summary>Adds the positions with meter id ≥ <paramref name="from"/> to those stored in <paramref name="state"/>, then forgets them.</summary>
    public void Store(StateOverlay state, string from)
    {
        foreach (var position in _byId.Values)
        {
            if (string.CompareOrdinal(position.Meter, from) < 0) continue;
            var key = SettlementKeys.Position(position.Meter);
            var stored = state.Get(key) is { } bytes ? Decode(position.Meter, bytes) : null;
            var owner = stored?.Owner ?? position.Owner;
            state.Set(key, Encode(owner, (stored?.ContractedWh ?? 0) + position.ContractedWh));
        }
        _byId.Clear();
    }

    /// <summary>The stored positions with meter id ≥ <paramref name="from"/>, in id order.</summary>
    public static IEnumerable<MeterPosition> Stored(IStateReader state, string from)
        => state.Scan(SettlementKeys.PositionPrefix, SettlementKeys.Position(from))
            .Select(kv => Decode(kv.Key[SettlementKeys.PositionPrefix.Length..], kv.Value));

    private static byte[] Encode(Address? owner, Int128 wh)
    {
        // A position always has an owner (the contract party that put it there); 20 zero bytes never occur.
        var bytes = new byte[36];
        owner?.Bytes.CopyTo(bytes);
        BinaryPrimitives.WriteInt128BigEndian(bytes.AsSpan(20), wh);
        return bytes;
    }

    private static MeterPosition Decode(string meter, byte[] bytes)
    {
        if (bytes.Length != 36) throw new InvalidDataException($"stored position of meter {meter} is {bytes.Length} bytes, not 36");
        return new MeterPosition(meter)
        {
            Owner = Address.FromBytes(bytes.AsSpan(0, 20)),
            ContractedWh = BinaryPrimitives.ReadInt128BigEndian(bytes.AsSpan(20)),
        };
    }
}
