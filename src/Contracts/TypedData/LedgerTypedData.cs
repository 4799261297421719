using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using ProtoFieldType = Google.Protobuf.Reflection.FieldType;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Contracts.TypedData;

/// <summary>
/// The project's EIP-712 structs, derived from the transaction protos so there is one definition: the struct is
/// named after the message, its members are the fields in field-number order under their JSON (lowerCamelCase)
/// names, and field types map as string→string, bool→bool, uint32/uint64/int64→uint32/uint64/int64, an enum→uint8
/// (its number, as Solidity encodes enums), a nested message→that struct (repeated→T[]), bytes→address, except the
/// bytes32 fields listed in <see cref="Bytes32Fields"/>.
/// Hashing walks the proto directly (no JSON) because the node hashes every submitted transaction; a test pins
/// it to the generic JSON encoder.
/// </summary>
public static class LedgerTypedData
{
    /// <summary>bytes fields that are hashes (bytes32) rather than addresses.</summary>
    public static readonly IReadOnlySet<string> Bytes32Fields = new HashSet<string>(StringComparer.Ordinal) { "offerId", "modelHash", "blockHash", "stateRoot", "appHash" };

    /// <summary>bytes fields of any length (EIP-712 dynamic <c>bytes</c>, hashed as keccak256 of the content): the 65-byte signatures an Evidence carries.</summary>
    public static readonly IReadOnlySet<string> DynamicBytesFields = new HashSet<string>(StringComparer.Ordinal) { "signature" };

    private static readonly ConcurrentDictionary<MessageDescriptor, TypedDataTypes> TypesCache = new();
    private static readonly ConcurrentDictionary<ulong, Eip712Domain> Domains = new();

    /// <summary>The payload messages that can be signed, by EIP-712 struct name.</summary>
    public static IReadOnlyList<MessageDescriptor> SignedMessages { get; } =
        Transaction.Descriptor.Oneofs[0].Fields.Select(f => f.MessageType)
            .Append(DeviceAuth.Descriptor).Append(CommitVote.Descriptor).Append(BlockProposal.Descriptor).ToArray();

    /// <summary>Our domain for a chain: <c>{name "P2PEnergy", version "1", chainId}</c>, cached.</summary>
    public static Eip712Domain Domain(ulong chainId) => Domains.GetOrAdd(chainId, Eip712Domain.ForChain);

    /// <summary>The EIP-712 types of a message: its struct and every struct it references.</summary>
    public static TypedDataTypes Types(MessageDescriptor descriptor) => TypesCache.GetOrAdd(descriptor, d =>
    {
        var structs = new SortedDictionary<string, IReadOnlyList<TypeMember>>(StringComparer.Ordinal);
        Collect(d, structs);
        return new TypedDataTypes(structs.Select(s => KeyValuePair.Create(s.Key, s.Value)));
    });

    /// <summary>EIP-712 hashStruct of a payload message.</summary>
    public static Hash32 HashStruct(IMessage message)
    {
        var hash = new byte[32];
        EncodeStruct(message, hash);
        return Hash32.Wrap(hash);
    }

    /// <summary>The EIP-712 digest a wallet signs: keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(message)).</summary>
    public static Hash32 Digest(IMessage message, ulong chainId)
    {
        // hashStruct on the stack: this runs on every submission.
        Span<byte> hashStruct = stackalloc byte[32];
        EncodeStruct(message, hashStruct);
        return Eip712.Digest(Domain(chainId).Separator.Bytes, hashStruct);
    }

    /// <summary>The message as an eth_signTypedData_v4 document for an external wallet.</summary>
    public static TypedDataDocument ToDocument(IMessage message, ulong chainId)
    {
        var domain = Domain(chainId);
        var structs = Types(message.Descriptor);
        var all = new List<KeyValuePair<string, IReadOnlyList<TypeMember>>> { new(TypedDataTypes.DomainTypeName, domain.Members) };
        all.AddRange(structs.Names.Select(n => KeyValuePair.Create(n, structs.Members(n))));
        var json = JsonSerializer.SerializeToElement(ToJson(message));
        return new TypedDataDocument(new TypedDataTypes(all), message.Descriptor.Name, domain.Values, json);
    }

    /// <summary>Reads a payload message back from a typed-data document, checking it is our struct on our domain.</summary>
    public static T FromDocument<T>(TypedDataDocument document, MessageParser<T> parser, ulong chainId) where T : IMessage<T>
    {
        var descriptor = parser.ParseFrom(ByteString.Empty).Descriptor;
        if (document.PrimaryType != descriptor.Name)
            throw new TypedDataException("primaryType", null, document.PrimaryType, $"expected {descriptor.Name}");
        var expected = Types(descriptor);
        foreach (var name in expected.Names)
            if (!document.Types.Contains(name) || document.Types.EncodeType(name) != expected.EncodeType(name))
                throw new TypedDataException($"types.{name}", null, null, $"does not match the P2PEnergy definition {expected.EncodeType(name)}");
        if (document.DomainSeparator != Domain(chainId).Separator)
            throw new TypedDataException("domain", null, document.Domain.GetRawText(), $"is not the P2PEnergy domain of chain {chainId}");
        var message = (T)FromJson(descriptor, JsonNode.Parse(document.Message.GetRawText())!.AsObject(), "message");
        if (HashStruct(message) != document.MessageHash)
            throw new TypedDataException("message", null, null, "does not round-trip to the same struct hash");
        return message;
    }

    private static void Collect(MessageDescriptor descriptor, IDictionary<string, IReadOnlyList<TypeMember>> structs)
    {
        if (structs.ContainsKey(descriptor.Name)) return;
        var members = new List<TypeMember>();
        structs[descriptor.Name] = members;
        foreach (var field in descriptor.Fields.InFieldNumberOrder())
        {
            members.Add(new TypeMember(field.JsonName, TypeOf(field)));
            if (field.FieldType == ProtoFieldType.Message) Collect(field.MessageType, structs);
        }
    }

    private static string TypeOf(FieldDescriptor field)
    {
        var element = field.FieldType switch
        {
            ProtoFieldType.String => "string",
            ProtoFieldType.Bool => "bool",
            ProtoFieldType.UInt32 => "uint32",
            ProtoFieldType.UInt64 => "uint64",
            ProtoFieldType.Int64 => "int64",
            ProtoFieldType.Enum => "uint8",
            ProtoFieldType.Bytes => Bytes32Fields.Contains(field.JsonName) ? "bytes32" : DynamicBytesFields.Contains(field.JsonName) ? "bytes" : "address",
            ProtoFieldType.Message => field.MessageType.Name,
            _ => throw new NotSupportedException($"proto field {field.FullName} of type {field.FieldType} has no EIP-712 mapping"),
        };
        return field.IsRepeated ? element + "[]" : element;
    }

    /// <summary>How one field becomes its 32-byte word, decided once per message type rather than per value.</summary>
    private enum WordKind { String, Bool, UInt32, UInt64, Int64, Enum, Address, Bytes32, DynamicBytes, Message }

    /// <summary>A message type's encodeData plan: its type hash and each field (in field-number order) with its kind.</summary>
    private sealed class StructPlan(byte[] typeHash, FieldDescriptor[] fields, WordKind[] kinds)
    {
        public byte[] TypeHash { get; } = typeHash;
        public FieldDescriptor[] Fields { get; } = fields;
        public WordKind[] Kinds { get; } = kinds;
    }

    private static readonly ConcurrentDictionary<MessageDescriptor, StructPlan> Plans = new();

    private static StructPlan Plan(MessageDescriptor descriptor) => Plans.GetOrAdd(descriptor, d =>
    {
        var fields = d.Fields.InFieldNumberOrder().ToArray();
        return new StructPlan(Types(d).TypeHash(d.Name).ToArray(), fields, fields.Select(KindOf).ToArray());
    });

    private static WordKind KindOf(FieldDescriptor field) => field.FieldType switch
    {
        ProtoFieldType.String => WordKind.String,
        ProtoFieldType.Bool => WordKind.Bool,
        ProtoFieldType.UInt32 => WordKind.UInt32,
        ProtoFieldType.UInt64 => WordKind.UInt64,
        ProtoFieldType.Int64 => WordKind.Int64,
        ProtoFieldType.Enum => WordKind.Enum,
        ProtoFieldType.Bytes => DynamicBytesFields.Contains(field.JsonName) ? WordKind.DynamicBytes
            : Bytes32Fields.Contains(field.JsonName) ? WordKind.Bytes32 : WordKind.Address,
        ProtoFieldType.Message => WordKind.Message,
        _ => throw new NotSupportedException($"proto field {field.FullName} of type {field.FieldType} has no EIP-712 mapping"),
    };

    // Words of a struct are built on the stack up to this size (31 fields); larger structs and lists rent.
    private const int StackWords = 1024;

    /// <summary>Writes hashStruct(message) into the first 32 bytes of <paramref name="output"/>.</summary>
    private static void EncodeStruct(IMessage message, Span<byte> output)
    {
        var plan = Plan(message.Descriptor);
        int length = 32 * (plan.Fields.Length + 1);
        byte[]? rented = null;
        Span<byte> buffer = length <= StackWords ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
        buffer.Clear();
        try
        {
            plan.TypeHash.CopyTo(buffer);
            for (int i = 0; i < plan.Fields.Length; i++)
            {
                var field = plan.Fields[i];
                var word = buffer.Slice(32 * (i + 1), 32);
                var value = field.Accessor.GetValue(message);
                if (field.IsRepeated) EncodeList(field, plan.Kinds[i], (System.Collections.IList)value, word);
                else EncodeValue(field, plan.Kinds[i], value, word);
            }
            Keccak256.Hash(buffer, output);
        }
        finally { if (rented is not null) ArrayPool<byte>.Shared.Return(rented); }
    }

    // A list's word is keccak256 of its items' words, concatenated.
    private static void EncodeList(FieldDescriptor field, WordKind kind, System.Collections.IList items, Span<byte> word)
    {
        var concatenated = ArrayPool<byte>.Shared.Rent(32 * items.Count);
        try
        {
            var words = concatenated.AsSpan(0, 32 * items.Count);
            words.Clear();
            for (int j = 0; j < items.Count; j++) EncodeValue(field, kind, items[j]!, words.Slice(32 * j, 32));
            Keccak256.Hash(words, word);
        }
        finally { ArrayPool<byte>.Shared.Return(concatenated); }
    }

    private static void EncodeValue(FieldDescriptor field, WordKind kind, object value, Span<byte> word)
    {
        switch (kind)
        {
            case WordKind.String: HashUtf8((string)value, word); break;
            case WordKind.Bool: word[31] = (bool)value ? (byte)1 : (byte)0; break;
            case WordKind.UInt32: BinaryPrimitives.WriteUInt32BigEndian(word[28..], (uint)value); break;
            case WordKind.UInt64: BinaryPrimitives.WriteUInt64BigEndian(word[24..], (ulong)value); break;
            case WordKind.Int64:
                var signed = (long)value;
                if (signed < 0) word.Fill(0xff); // two's complement sign extension to 256 bits
                BinaryPrimitives.WriteInt64BigEndian(word[24..], signed);
                break;
            case WordKind.Enum: word[31] = EnumByte(field, value); break;
            case WordKind.DynamicBytes: Keccak256.Hash(((ByteString)value).Span, word); break;
            case WordKind.Bytes32:
                var hash = ((ByteString)value).Span;
                if (hash.Length != 32) throw new TypedDataException(field.JsonName, "bytes32", Hex.Encode(hash), $"must be 32 bytes, got {hash.Length}");
                hash.CopyTo(word);
                break;
            case WordKind.Address:
                var address = ((ByteString)value).Span;
                if (address.Length != 20) throw new TypedDataException(field.JsonName, "address", Hex.Encode(address), $"must be 20 bytes, got {address.Length}");
                address.CopyTo(word[12..]);
                break;
            // An unset nested message (null off the wire) has no encoding: refused like any other bad value, not a crash.
            case WordKind.Message:
                if (value is not IMessage nested) throw new TypedDataException(field.JsonName, field.MessageType.Name, null, "is missing");
                EncodeStruct(nested, word);
                break;
        }
    }

    // Hashes of recent identifier-length strings: a meter id, grid node or role recurs in every contract that names
    // it, and its keccak256 is a permutation each time. Pure (a hash of the text), so it never changes an outcome.
    // Bounded: a full memo starts afresh.
    private const int MemoMaxLength = 64;
    private static readonly BoundedMemo<string, byte[]> StringHashes = new(1 << 16, StringComparer.Ordinal);

    // keccak256 of a string's UTF-8 bytes, encoded on the stack when short (meter ids, names: all of the ledger's).
    private static void HashUtf8(string text, Span<byte> word)
    {
        if (text.Length > MemoMaxLength)
        {
            HashUtf8Uncached(text, word);
            return;
        }
        if (StringHashes.TryGet(text, out var held))
        {
            held.CopyTo(word);
            return;
        }
        HashUtf8Uncached(text, word);
        StringHashes.Hold(text, word[..32].ToArray());
    }

    private static void HashUtf8Uncached(string text, Span<byte> word)
    {
        if (text.Length > 256)
        {
            Keccak256.Hash(Encoding.UTF8.GetBytes(text), word);
            return;
        }
        // A UTF-16 char takes at most 3 UTF-8 bytes (a surrogate pair 4 for two, a lone surrogate 3 as U+FFFD).
        Span<byte> utf8 = stackalloc byte[3 * text.Length];
        int written = Encoding.UTF8.GetBytes(text, utf8);
        Keccak256.Hash(utf8[..written], word);
    }

    // An enum is its number as uint8; a number outside 0..255 (an unknown value off the wire) has no encoding.
    private static byte EnumByte(FieldDescriptor field, object value)
    {
        int number = Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
        return number is >= 0 and <= 255 ? (byte)number
            : throw new TypedDataException(field.JsonName, "uint8", number.ToString(System.Globalization.CultureInfo.InvariantCulture), "an enum must lie in 0..255");
    }

    /// <summary>The message as the JSON object of an EIP-712 message (addresses EIP-55, bytes32 as 0x-hex, uint64 as decimal strings).</summary>
    public static JsonObject ToJson(IMessage message)
    {
        var json = new JsonObject();
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var value = field.Accessor.GetValue(message);
            json.Add(field.JsonName, field.IsRepeated
                ? new JsonArray(((System.Collections.IList)value).Cast<object>().Select(v => ToJsonValue(field, v)).ToArray())
                : ToJsonValue(field, value));
        }
        return json;
    }

    private static JsonNode? ToJsonValue(FieldDescriptor field, object value) => field.FieldType switch
    {
        ProtoFieldType.String => JsonValue.Create((string)value),
        ProtoFieldType.Bool => JsonValue.Create((bool)value),
        ProtoFieldType.UInt32 => JsonValue.Create((uint)value),
        ProtoFieldType.Enum => JsonValue.Create(EnumByte(field, value)),
        // Decimal strings: JSON numbers above 2^53 lose precision in JavaScript wallets.
        ProtoFieldType.UInt64 => JsonValue.Create(((ulong)value).ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ProtoFieldType.Int64 => JsonValue.Create(((long)value).ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ProtoFieldType.Bytes => JsonValue.Create(Bytes32Fields.Contains(field.JsonName) || DynamicBytesFields.Contains(field.JsonName)
            ? Hex.Encode(((ByteString)value).Span)
            : ((ByteString)value).Length == 20 ? Address.FromBytes(((ByteString)value).Span).ToString() : Hex.Encode(((ByteString)value).Span)),
        ProtoFieldType.Message => ToJson((IMessage)value),
        _ => throw new NotSupportedException($"proto field {field.FullName} of type {field.FieldType} has no EIP-712 mapping"),
    };

    private static IMessage FromJson(MessageDescriptor descriptor, JsonObject json, string path)
    {
        var message = descriptor.Parser.ParseFrom(ByteString.Empty);
        foreach (var field in descriptor.Fields.InFieldNumberOrder())
        {
            var fieldPath = $"{path}.{field.JsonName}";
            if (!json.TryGetPropertyValue(field.JsonName, out var node) || node is null)
                throw new TypedDataException(fieldPath, TypeOf(field), null, "is missing");
            if (field.IsRepeated)
            {
                var list = (System.Collections.IList)field.Accessor.GetValue(message);
                int i = 0;
                foreach (var item in node.AsArray()) list.Add(FromJsonValue(field, item!, $"{fieldPath}[{i++}]"));
            }
            else field.Accessor.SetValue(message, FromJsonValue(field, node, fieldPath));
        }
        return message;
    }

    private static object FromJsonValue(FieldDescriptor field, JsonNode node, string path)
    {
        var element = JsonSerializer.SerializeToElement(node);
        var type = P2PEnergy.Contracts.TypedData.FieldType.Parse(TypeOf(field).TrimEnd('[', ']'), path);
        return field.FieldType switch
        {
            ProtoFieldType.String => JsonLeafReader.ReadString(element, type, path),
            ProtoFieldType.Bool => JsonLeafReader.ReadBool(element, type, path),
            ProtoFieldType.UInt32 => (uint)JsonLeafReader.ReadInteger(element, type, path),
            ProtoFieldType.Enum => Enum.ToObject(field.EnumType.ClrType, (int)JsonLeafReader.ReadInteger(element, type, path)),
            ProtoFieldType.UInt64 => (ulong)JsonLeafReader.ReadInteger(element, type, path),
            ProtoFieldType.Int64 => (long)JsonLeafReader.ReadInteger(element, type, path),
            ProtoFieldType.Bytes => DynamicBytesFields.Contains(field.JsonName) ? ByteString.CopyFrom(JsonLeafReader.ReadBytes(element, type, path))
                : Bytes32Fields.Contains(field.JsonName)
                ? ByteString.CopyFrom(JsonLeafReader.ReadFixedBytes(element, type, path))
                : ByteString.CopyFrom(JsonLeafReader.ReadAddress(element, type, path).Bytes),
            ProtoFieldType.Message => FromJson(field.MessageType, node.AsObject(), path),
            _ => throw new NotSupportedException($"proto field {field.FullName} has no EIP-712 mapping"),
        };
    }
}
