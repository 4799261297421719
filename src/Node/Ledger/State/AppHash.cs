using System.Buffers;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Node.Ledger.State;

/// <summary>
/// appHash_h = keccak256(appHash_{h−1} ‖ keccak256(changes_h) ‖ keccak256(results_h)), where changes_h is the block's
/// writes in ordinal key order in <see cref="ChangeSetEncoding"/> (per change len(key) ‖ key ‖ flag ‖ len(value) ‖
/// value, lengths u32 big-endian, flag 1 = set, 0 = delete) — the bytes the store keeps for the block — and results_h
/// its transaction results in <see cref="ResultSetEncoding"/> (ids, code, message). Genesis has no transactions:
/// appHash_0 = keccak256(0³² ‖ keccak256(changes_0)). Chaining makes one hash commit to the whole history of state
/// and of every outcome, not just the latest values.
/// </summary>
public static class AppHash
{
    /// <summary>The app hash of a block with <paramref name="sortedChanges"/> and <paramref name="results"/>.</summary>
    public static Hash32 Next(Hash32 previous, IReadOnlyList<StateChange> sortedChanges, IReadOnlyList<TransactionResult> results)
        => Keccak256.HashConcat(previous.ToArray(), ChangesHash(sortedChanges), Keccak256.Hash(ResultSetEncoding.Encode(results)).ToArray());

    /// <summary>The genesis app hash (state only: genesis has no transactions).</summary>
    public static Hash32 Next(Hash32 previous, IReadOnlyList<StateChange> sortedChanges)
        => Keccak256.HashConcat(previous.ToArray(), ChangesHash(sortedChanges));

    private static byte[] ChangesHash(IReadOnlyList<StateChange> sortedChanges)
    {
        // An overlay's change set is sorted by construction and carries its encoding, which the store then keeps.
        if (sortedChanges is SortedChangeSet set) return Keccak256.Hash(set.Encoded).ToArray();
        for (int i = 1; i < sortedChanges.Count; i++)
            if (string.CompareOrdinal(sortedChanges[i - 1].Key, sortedChanges[i].Key) >= 0)
                throw new ArgumentException($"state changes must be in strictly ascending key order: '{sortedChanges[i - 1].Key}' before '{sortedChanges[i].Key}'");
        // Encoded once into a pooled buffer of the exact size (no growth, no copies), then hashed in one call.
        int length = ChangeSetEncoding.EncodedLength(sortedChanges);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        var changesHash = new byte[32];
        try
        {
            ChangeSetEncoding.Encode(sortedChanges, buffer);
            Keccak256.Hash(buffer.AsSpan(0, length), changesHash);
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
        return changesHash;
    }
}
