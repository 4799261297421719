using System.Numerics;
using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Contracts.TypedData;

/// <summary>
/// What to make of each validated value while <see cref="ValueWalker"/> walks a value by its type: the encoder folds
/// values into 32-byte EIP-712 encodings, the writer into canonical JSON. One walk, so both see the same checks.
/// </summary>
internal interface IValueFold<T>
{
    T Bool(bool value);
    /// <summary>A uintN/intN already range-checked against <paramref name="type"/>.</summary>
    T Integer(FieldType type, BigInteger value);
    T Address(Address value);
    /// <summary>A bytesN value whose length is already checked to be N.</summary>
    T FixedBytes(byte[] value);
    T String(string value);
    T Bytes(byte[] value);
    /// <summary>A struct whose members are folded, in declared order.</summary>
    T Struct(string typeName, IReadOnlyList<(string Name, T Value)> members);
    /// <summary>An array (fixed length already checked) whose items are folded.</summary>
    T Array(FieldType type, IReadOnlyList<T> items);
}
