using System.Buffers;
using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Node.Ledger.Kernel;

namespace P2PEnergy.Node.Ledger.Execution;

/// <summary>
/// One signed transaction has exactly one id: the node stores the envelope bytes as submitted and its id is their
/// keccak256, so it accepts only the one encoding its own serializer writes — fields in field-number order, proto3
/// default values left out, repeated scalars packed, minimal varints, strings in valid UTF-8, no unknown fields.
/// Anything else would give the same signed content a second id; it is MALFORMED, naming the field.
/// </summary>
internal static class CanonicalEncoding
{
    /// <summary>Throws MALFORMED unless <paramref name="bytes"/> is exactly how <paramref name="parsed"/> serializes.</summary>
    public static void Require(IMessage parsed, byte[] bytes)
    {
        // The walk finds what the serializer would keep as it came: protobuf C# preserves unknown fields on re-serialization.
        var problem = Walk(parsed.Descriptor, bytes, "", 0) ?? Reserialized(parsed, bytes);
        if (problem is not null) throw NotCanonical(problem);
    }

    /// <summary>
    /// For bytes the parser refused: throws MALFORMED naming the field when they break a rule above. Google.Protobuf (3.36)
    /// refuses invalid UTF-8 in a string while parsing ("String is invalid UTF-8."), without saying which field; the walk
    /// names it. Returns when the walk finds nothing, and the caller reports the parser's own message. The walk's depth
    /// is bounded by the schema's (no message type contains itself), not by the bytes.
    /// </summary>
    public static void RequireUnparsed(MessageDescriptor descriptor, byte[] bytes)
    {
        if (Walk(descriptor, bytes, "", 0) is { } problem) throw NotCanonical(problem);
    }

    private static LedgerRejection NotCanonical(string problem)
        => new(ReasonCodes.Malformed, $"transaction is not canonically encoded: {problem} " +
            "(its id is keccak256 of the bytes as submitted, so only the encoding a protobuf serializer writes is accepted)");

    /// <summary>Null when <paramref name="parsed"/> serializes to exactly <paramref name="bytes"/>, else where they part.</summary>
    private static string? Reserialized(IMessage parsed, byte[] bytes)
    {
        int size = parsed.CalculateSize();
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var again = buffer.AsSpan(0, size);
            parsed.WriteTo(again);
            int at = again.CommonPrefixLength(bytes);
            return at == size && size == bytes.Length ? null : $"it re-serializes differently from byte {at} on";
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
    }

    private static string? Walk(MessageDescriptor descriptor, ReadOnlySpan<byte> data, string path, int offset)
    {
        int position = 0, lastNumber = 0, repeat = 0;
        while (position < data.Length)
        {
            int tagAt = offset + position;
            if (ReadVarint(data, ref position, out ulong tag) is { } tagError) return $"{Where(path)}{tagError} at byte {tagAt}";
            int number = (int)Math.Min(tag >> 3, int.MaxValue);
            var wireType = (WireFormat.WireType)(tag & 7);
            var field = descriptor.FindFieldByNumber(number);
            if (field is null) return $"{Where(path)}unknown field number {number} at byte {tagAt}";
            // Names are built only for a message: this walk runs on every submitted transaction.
            string Name() => path + field.JsonName;
            string Element() => field.IsRepeated ? $"{path}{field.JsonName}[{repeat}]" : path + field.JsonName;
            if (number < lastNumber) return $"{Name()} (field {number}) comes after field {lastNumber}: fields must be in field-number order";
            if (number == lastNumber && !field.IsRepeated) return $"{Name()} appears twice";
            // Elements of a repeated field are contiguous (order is checked above), so a counter numbers them.
            repeat = number == lastNumber ? repeat + 1 : 0;
            lastNumber = number;

            bool packable = field.IsRepeated && IsScalarNumeric(field.FieldType);
            var expected = packable && field.IsPacked ? WireFormat.WireType.LengthDelimited : WireTypeOf(field.FieldType);
            if (wireType != expected)
                return packable && wireType == WireTypeOf(field.FieldType) ? $"{Name()} is not packed" : $"{Element()} has wire type {wireType}, expected {expected}";

            if (wireType == WireFormat.WireType.Varint)
            {
                if (ReadVarint(data, ref position, out ulong value) is { } error) return $"{Element()}: {error}";
                if (Scalar(field, value) is { } scalarError) return $"{Element()} {scalarError}";
                continue;
            }
            if (wireType is WireFormat.WireType.Fixed32 or WireFormat.WireType.Fixed64)
            {
                int width = wireType == WireFormat.WireType.Fixed32 ? 4 : 8;
                if (data.Length - position < width) return $"{Element()} is truncated";
                bool zero = !data.Slice(position, width).ContainsAnyExcept((byte)0);
                position += width;
                if (zero && !field.IsRepeated && !field.HasPresence) return $"{Element()} encodes its default value (0) explicitly; omit it";
                continue;
            }
            if (ReadVarint(data, ref position, out ulong length) is { } lengthError) return $"{Element()}: length {lengthError}";
            if (length > (ulong)(data.Length - position)) return $"{Element()} announces {length} bytes, {data.Length - position} remain";
            var payload = data.Slice(position, (int)length);
            int payloadAt = offset + position;
            position += (int)length;
            if (packable)
            {
                if (payload.IsEmpty) return $"{Name()} is an empty packed list; omit it";
                if (Packed(field, payload) is { } packedError) return $"{Name()}: {packedError}";
                continue;
            }
            switch (field.FieldType)
            {
                case FieldType.String:
                    if (!System.Text.Unicode.Utf8.IsValid(payload))
                        return $"{Element()} is not valid UTF-8 (at byte {payloadAt + FirstInvalidUtf8(payload)})";
                    if (payload.IsEmpty && !field.IsRepeated && !field.HasPresence) return $"{Element()} encodes its default value (\"\") explicitly; omit it";
                    break;
                case FieldType.Bytes:
                    if (payload.IsEmpty && !field.IsRepeated && !field.HasPresence) return $"{Element()} encodes its default value (empty bytes) explicitly; omit it";
                    break;
                case FieldType.Message:
                    if (Walk(field.MessageType, payload, Element() + ".", payloadAt) is { } inner) return inner;
                    break;
                default:
                    return $"{Element()} has wire type {wireType}, expected {WireTypeOf(field.FieldType)}";
            }
        }
        return null;
    }

    private static string Where(string path) => path.Length == 0 ? "" : $"in {path.TrimEnd('.')}: ";

    /// <summary>A varint's value; an error for one that is truncated, too long, or not minimally encoded.</summary>
    private static string? ReadVarint(ReadOnlySpan<byte> data, ref int position, out ulong value)
    {
        value = 0;
        int start = position;
        for (int shift = 0; ; shift += 7)
        {
            if (position >= data.Length) return "truncated varint";
            if (shift > 63) return "varint longer than 10 bytes";
            byte b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) != 0) continue;
            // A last byte of 0 (after the first) adds nothing: the same value fits in fewer bytes.
            if (b == 0 && position - start > 1) return "varint is not minimally encoded";
            return null;
        }
    }

    /// <summary>What a varint-encoded singular or unpacked value breaks, or null.</summary>
    private static string? Scalar(FieldDescriptor field, ulong value)
    {
        if (value == 0 && !field.IsRepeated && !field.HasPresence) return "encodes its default value (0) explicitly; omit it";
        return field.FieldType switch
        {
            FieldType.Bool when value > 1 => $"is a bool encoded as {value}; only 0 and 1 are canonical",
            FieldType.UInt32 when value > uint.MaxValue => $"holds {value}, beyond the uint32 range",
            // int32 and enums: negative values are sign-extended to 64 bits, anything else must fit 32 bits.
            FieldType.Int32 or FieldType.Enum when (ulong)(long)(int)value != value => $"holds {value.ToString(CultureInfo.InvariantCulture)}, beyond the int32 range",
            FieldType.SInt32 when value > uint.MaxValue => $"holds {value}, beyond the sint32 range",
            _ => null,
        };
    }

    private static string? Packed(FieldDescriptor field, ReadOnlySpan<byte> payload)
    {
        var wire = WireTypeOf(field.FieldType);
        for (int position = 0, index = 0; position < payload.Length; index++)
        {
            if (wire != WireFormat.WireType.Varint)
            {
                int width = wire == WireFormat.WireType.Fixed32 ? 4 : 8;
                if (payload.Length - position < width) return "packed list is truncated";
                position += width;
                continue;
            }
            if (ReadVarint(payload, ref position, out ulong value) is { } error) return $"[{index}]: {error}";
            // Elements of a list are written whatever their value, so only the range rules apply.
            if (value != 0 && Scalar(field, value) is { } scalarError) return $"[{index}] {scalarError}";
        }
        return null;
    }

    private static bool IsScalarNumeric(FieldType type) => type is not (FieldType.String or FieldType.Bytes or FieldType.Message or FieldType.Group);

    private static WireFormat.WireType WireTypeOf(FieldType type) => type switch
    {
        FieldType.Double or FieldType.Fixed64 or FieldType.SFixed64 => WireFormat.WireType.Fixed64,
        FieldType.Float or FieldType.Fixed32 or FieldType.SFixed32 => WireFormat.WireType.Fixed32,
        FieldType.String or FieldType.Bytes or FieldType.Message => WireFormat.WireType.LengthDelimited,
        FieldType.Group => WireFormat.WireType.StartGroup,
        _ => WireFormat.WireType.Varint,
    };

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        int at = 0;
        while (at < bytes.Length)
        {
            var status = System.Text.Rune.DecodeFromUtf8(bytes[at..], out _, out int consumed);
            if (status != OperationStatus.Done) return at;
            at += consumed;
        }
        return at;
    }
}
