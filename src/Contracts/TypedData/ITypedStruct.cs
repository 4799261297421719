using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Contracts.TypedData;

/// <summary>
/// A C# type that is signed as an EIP-712 struct. <see cref="Eip712Type"/> is the one place its EIP-712 type is
/// defined; <see cref="ToTypedValue"/> fills a value of that type. Hashing, digests and JSON come from <see cref="TypedStruct"/>.
/// </summary>
public interface ITypedStruct
{
    /// <summary>The struct's EIP-712 type (and, through its references, every type it uses).</summary>
    static abstract StructType Eip712Type { get; }

    /// <summary>This instance as a value of <see cref="Eip712Type"/>: <c>Eip712Type.NewValue().Set(...)...</c>.</summary>
    StructValue ToTypedValue();
}

/// <summary>EIP-712 operations on any <see cref="ITypedStruct"/>: hashStruct, the signing digest, and eth_signTypedData_v4 JSON.</summary>
public static class TypedStruct
{
    /// <summary>hashStruct(value).</summary>
    public static Hash32 HashStruct<T>(this T value) where T : ITypedStruct => Checked(value).HashStruct();

    /// <summary>keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ hashStruct(value)): the digest a wallet signs.</summary>
    public static Hash32 Digest<T>(this T value, Eip712Domain domain) where T : ITypedStruct => Checked(value).Digest(domain);

    /// <summary>The eth_signTypedData_v4 document with <paramref name="value"/> as its message.</summary>
    public static TypedDataDocument ToDocument<T>(this T value, Eip712Domain domain) where T : ITypedStruct => Checked(value).ToDocument(domain);

    /// <summary>Canonical eth_signTypedData_v4 JSON, as ethers v6 and MetaMask read it.</summary>
    public static string ToJson<T>(this T value, Eip712Domain domain, bool indented = false) where T : ITypedStruct
        => Checked(value).ToJson(domain, indented);

    // ToTypedValue must fill the declared type; a value of another type would hash as something else than T claims.
    private static StructValue Checked<T>(T value) where T : ITypedStruct
    {
        var typed = value.ToTypedValue();
        if (!ReferenceEquals(typed.Type, T.Eip712Type) && typed.Type.EncodeType != T.Eip712Type.EncodeType)
            throw new InvalidOperationException(
                $"{typeof(T).Name}.ToTypedValue() built a {typed.Type.EncodeType} but {typeof(T).Name}.Eip712Type is {T.Eip712Type.EncodeType}");
        return typed;
    }
}
