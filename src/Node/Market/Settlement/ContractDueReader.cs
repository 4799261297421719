using System.Buffers.Binary;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Node.Market.Settlement;

/// <summary>
/// Reads a stored <see cref="ContractDue"/> (standard protobuf bytes, the same any tool decodes with the .proto)
/// without allocating: settling an interval reads one per running contract — 200,000 of them in the settlement
/// benchmark — and the generated parser's objects, byte strings and strings were a third of the time, most of it
/// in the garbage collector. Unknown fields are skipped as protobuf requires; bytes that are not protobuf throw.
/// </summary>
public readonly ref struct ContractDueReader
{
    public ReadOnlySpan<byte> Seller { get; private init; }
    public ReadOnlySpan<byte> Buyer { get; private init; }
    /// <summary>ASCII (meter ids are 1–64 characters of A–Z a–z 0–9 . _ -).</summary>
    public ReadOnlySpan<byte> SellerMeter { get; private init; }
    public ReadOnlySpan<byte> BuyerMeter { get; private init; }
    public ulong IntervalStart { get; private init; }
    public uint IntervalCount { get; private init; }
    public ulong WhPerInterval { get; private init; }
    public ulong Payment { get; private init; }
    public ulong DmoFeeBuyer { get; private init; }
    public ulong DmoFeeSeller { get; private init; }
    public ulong GridFee { get; private init; }

    public static ContractDueReader Read(ReadOnlySpan<byte> bytes)
    {
        ReadOnlySpan<byte> seller = default, buyer = default, sellerMeter = default, buyerMeter = default;
        ulong start = 0, count = 0, wh = 0, payment = 0, feeBuyer = 0, feeSeller = 0, grid = 0;
        int at = 0;
        while (at < bytes.Length)
        {
            ulong tag = Varint(bytes, ref at);
            int field = checked((int)(tag >> 3));
            switch ((int)(tag & 7))
            {
                case 0:
                    ulong value = Varint(bytes, ref at);
                    switch (field)
                    {
                        case 5: start = value; break;
                        case 6: count = value; break;
                        case 7: wh = value; break;
                        case 8: payment = value; break;
                        case 9: feeBuyer = value; break;
                        case 10: feeSeller = value; break;
                        case 11: grid = value; break;
                    }
                    break;
                case 2:
                    ulong length = Varint(bytes, ref at);
                    if (length > (ulong)(bytes.Length - at)) throw Malformed($"field {field} claims {length} bytes, {bytes.Length - at} remain");
                    var slice = bytes.Slice(at, (int)length);
                    at += (int)length;
                    switch (field)
                    {
                        case 1: seller = slice; break;
                        case 2: buyer = slice; break;
                        case 3: sellerMeter = slice; break;
                        case 4: buyerMeter = slice; break;
                    }
                    break;
                case 1: Skip(bytes, ref at, 8); break;
                case 5: Skip(bytes, ref at, 4); break;
                default: throw Malformed($"wire type {tag & 7} of field {field} is not supported");
            }
        }
        if (seller.Length != 20 || buyer.Length != 20) throw Malformed($"seller and buyer must be 20-byte addresses, got {seller.Length} and {buyer.Length} bytes");
        if (count is 0 or > uint.MaxValue) throw Malformed($"intervalCount {count} is outside [1, {uint.MaxValue}]");
        return new ContractDueReader
        {
            Seller = seller, Buyer = buyer, SellerMeter = sellerMeter, BuyerMeter = buyerMeter, IntervalStart = start,
            IntervalCount = (uint)count, WhPerInterval = wh, Payment = payment, DmoFeeBuyer = feeBuyer, DmoFeeSeller = feeSeller, GridFee = grid,
        };
    }

    private static ulong Varint(ReadOnlySpan<byte> bytes, ref int at)
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (at >= bytes.Length) throw Malformed("a varint runs past the end");
            byte b = bytes[at++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return result;
        }
        throw Malformed("a varint is longer than 10 bytes");
    }

    private static void Skip(ReadOnlySpan<byte> bytes, ref int at, int length)
    {
        if (bytes.Length - at < length) throw Malformed("a fixed-width field runs past the end");
        at += length;
    }

    private static InvalidDataException Malformed(string why) => new($"stored ContractDue is not valid protobuf: {why}");
}

/// <summary>A 20-byte address as a value, for hashing without allocating (dictionary keys in settlement).</summary>
public readonly record struct AddressKey(ulong High, ulong Middle, uint Low)
{
    public static AddressKey Of(ReadOnlySpan<byte> address20)
        => new(BinaryPrimitives.ReadUInt64BigEndian(address20), BinaryPrimitives.ReadUInt64BigEndian(address20[8..]), BinaryPrimitives.ReadUInt32BigEndian(address20[16..]));
}
