using System.Numerics;
using System.Text;
using System.Text.Json;
using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Contracts.TypedData;

/// <summary>
/// EIP-712 hashing over JSON values: hashStruct, domainSeparator and the signing digest
/// keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ hashStruct(message)).
/// </summary>
public static class Eip712
{
    /// <summary>hashStruct(s) = keccak256(typeHash ‖ encodeData(s)); <paramref name="path"/> prefixes error paths.</summary>
    public static Hash32 HashStruct(TypedDataTypes types, string typeName, JsonElement value, string path = "message")
    {
        if (!types.Contains(typeName)) throw new TypedDataException(path, typeName, null, $"undefined struct type '{typeName}'");
        return Hash32.FromBytes(ValueWalker.Struct(types, typeName, value, path, new EncodingFold(types)));
    }

    /// <summary>The signing digest of a message hash under a domain separator.</summary>
    public static Hash32 Digest(Hash32 domainSeparator, Hash32 messageHash) => Digest(domainSeparator.Bytes, messageHash.Bytes);

    /// <summary>As <see cref="Digest(Hash32, Hash32)"/>, over 32-byte spans; the input is built on the stack.</summary>
    public static Hash32 Digest(ReadOnlySpan<byte> domainSeparator32, ReadOnlySpan<byte> messageHash32)
    {
        Span<byte> input = stackalloc byte[66];
        input[0] = 0x19;
        input[1] = 0x01;
        domainSeparator32[..32].CopyTo(input[2..]);
        messageHash32[..32].CopyTo(input[34..]);
        return Keccak256.Hash(input);
    }

    /// <summary>Folds each value into its 32-byte encoding enc(value) (EIP-712 "Definition of encodeData").</summary>
    private sealed class EncodingFold(TypedDataTypes types) : IValueFold<byte[]>
    {
        public byte[] Bool(bool value) => Word(value ? BigInteger.One : BigInteger.Zero);

        // Signed integers are sign-extended to 256 bits: two's complement modulo 2^256.
        public byte[] Integer(FieldType type, BigInteger value) => Word(value.Sign < 0 ? (BigInteger.One << 256) + value : value);

        public byte[] Address(Address value)
        {
            var word = new byte[32];
            value.Bytes.CopyTo(word.AsSpan(12));
            return word;
        }

        // bytesN is left-aligned and zero-padded on the right, like Solidity's abi.encode.
        public byte[] FixedBytes(byte[] value)
        {
            var word = new byte[32];
            value.CopyTo(word, 0);
            return word;
        }

        public byte[] String(string value) => Keccak256.Hash(Encoding.UTF8.GetBytes(value)).ToArray();

        public byte[] Bytes(byte[] value) => Keccak256.Hash(value).ToArray();

        public byte[] Struct(string typeName, IReadOnlyList<(string Name, byte[] Value)> members)
        {
            var parts = new byte[members.Count + 1][];
            parts[0] = types.TypeHash(typeName).ToArray();
            for (int i = 0; i < members.Count; i++) parts[i + 1] = members[i].Value;
            return Keccak256.HashConcat(parts).ToArray();
        }

        // Arrays (fixed or dynamic, nested or of structs) hash the concatenation of their items' encodings.
        public byte[] Array(FieldType type, IReadOnlyList<byte[]> items) => Keccak256.HashConcat(items.ToArray()).ToArray();

        private static byte[] Word(BigInteger unsigned)
        {
            var word = new byte[32];
            int length = unsigned.GetByteCount(isUnsigned: true);
            unsigned.TryWriteBytes(word.AsSpan(32 - length), out _, isUnsigned: true, isBigEndian: true);
            return word;
        }
    }
}
