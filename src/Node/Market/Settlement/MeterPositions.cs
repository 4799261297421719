using System.Buffers.Binary;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Market.Settlement;

/// <summary>
/// One meter in an interval: its contracted net export (Wh, Int128: contracts may carry up to 2^64−1 Wh each), its
/// owner, and what its contracts moved for the owner's statement line (applied to the line in the shortfall pass).
/// </summary>
internal sealed class MeterPosition(string meter)
{
    public string Meter { get; } = meter;
    public Int128 ContractedWh { get; set; }
    public Address? Owner { get; set; }
    public ulong ContractReceived { get; set; }
    public ulong ContractPaid { get; set; }
    public ulong DmoFeePaid { get; set; }
    public ulong GridFeePaid { get; set; }
    public ulong Uncollected { get; set; }

    /// <summary>Adds <paramref name="other"/>'s amounts (the same meter, gathered in another block) to these.</summary>
    public void Add(MeterPosition other)
    {
        Owner ??= other.Owner;
        ContractedWh += other.ContractedWh;
        ContractReceived = Saturating.Add(ContractReceived, other.ContractReceived);
        ContractPaid = Saturating.Add(ContractPaid, other.ContractPaid);
        DmoFeePaid = Saturating.Add(DmoFeePaid, other.DmoFeePaid);
        GridFeePaid = Saturating.Add(GridFeePaid, other.GridFeePaid);
        Uncollected = Saturating.Add(Uncollected, other.Uncollected);
    }

    /// <summary>Puts the contracts' amounts on the owner's statement line of the interval.</summary>
    public void PostTo(Contracts.Protos.StatementLine line)
    {
        line.ContractReceived = Saturating.Add(line.ContractReceived, ContractReceived);
        line.ContractPaid = Saturating.Add(line.ContractPaid, ContractPaid);
        line.DmoFeePaid = Saturating.Add(line.DmoFeePaid, DmoFeePaid);
        line.GridFeePaid = Saturating.Add(line.GridFeePaid, GridFeePaid);
        line.Uncollected = Saturating.Add(line.Uncollected, Uncollected);
    }
}

/// <summary>
/// The contracted positions of the interval being settled, by meter id, as its contract instalments are released.
/// Held in memory while the interval settles within one run; when it spans blocks they go to state under
/// <c>settlement-position/&lt;meter&gt;</c> (owner ‖ Wh as 16 bytes big-endian two's complement ‖ the five statement
/// amounts, u64 big-endian) at the end of each run and are deleted as the last pass settles each meter, so an interval
/// that fits one block leaves no trace of them.
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
            if (state.Get(key) is { } bytes)
            {
                var stored = Decode(position.Meter, bytes);
                stored.Add(position);
                state.Set(key, Encode(stored));
            }
            else state.Set(key, Encode(position));
        }
        _byId.Clear();
    }

    /// <summary>The stored positions with meter id ≥ <paramref name="from"/>, in id order.</summary>
    public static IEnumerable<MeterPosition> Stored(IStateReader state, string from)
        => state.Scan(SettlementKeys.PositionPrefix, SettlementKeys.Position(from))
            .Select(kv => Decode(kv.Key[SettlementKeys.PositionPrefix.Length..], kv.Value));

    private const int Encoded = 20 + 16 + 5 * 8;

    private static byte[] Encode(MeterPosition position)
    {
        // A position always has an owner (the contract party that put it there); 20 zero bytes never occur.
        var bytes = new byte[Encoded];
        position.Owner?.Bytes.CopyTo(bytes);
        var span = bytes.AsSpan(20);
        BinaryPrimitives.WriteInt128BigEndian(span, position.ContractedWh);
        ulong[] amounts = [position.ContractReceived, position.ContractPaid, position.DmoFeePaid, position.GridFeePaid, position.Uncollected];
        for (int i = 0; i < amounts.Length; i++) BinaryPrimitives.WriteUInt64BigEndian(span[(16 + 8 * i)..], amounts[i]);
        return bytes;
    }

    private static MeterPosition Decode(string meter, byte[] bytes)
    {
        if (bytes.Length != Encoded) throw new InvalidDataException($"stored position of meter {meter} is {bytes.Length} bytes, not {Encoded}");
        var span = bytes.AsSpan(20);
        ulong At(int i) => BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(36 + 8 * i));
        return new MeterPosition(meter)
        {
            Owner = Address.FromBytes(bytes.AsSpan(0, 20)), ContractedWh = BinaryPrimitives.ReadInt128BigEndian(span),
            ContractReceived = At(0), ContractPaid = At(1), DmoFeePaid = At(2), GridFeePaid = At(3), Uncollected = At(4),
        };
    }
}
