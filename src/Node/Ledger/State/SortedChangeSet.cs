using System.Collections;

namespace P2PEnergy.Node.Ledger.State;

/// <summary>
/// A block's writes in strictly ascending ordinal key order, as <see cref="StateOverlay.Changes"/> builds them, with
/// their <see cref="ChangeSetEncoding"/> computed once: the app hash covers those bytes and the store keeps them, so
/// execution encodes and the commit reuses instead of encoding ~900 bytes per contract a second time.
/// </summary>
public sealed class SortedChangeSet : IReadOnlyList<StateChange>
{
    private readonly StateChange[] _changes;
    private byte[]? _encoded;

    /// <summary>Takes <paramref name="changes"/> as they are: the caller built them in ascending key order and hands them over.</summary>
    internal SortedChangeSet(StateChange[] changes) => _changes = changes;

    /// <summary>Takes <paramref name="changes"/> (ascending key order) with <paramref name="encoded"/>, their encoding, written as they were sorted.</summary>
    internal SortedChangeSet(StateChange[] changes, byte[] encoded) => (_changes, _encoded) = (changes, encoded);

    public StateChange this[int index] => _changes[index];

    public int Count => _changes.Length;

    /// <summary>The change set's encoding, computed on first use; the same bytes as <see cref="ChangeSetEncoding.Encode(IReadOnlyList{StateChange})"/>.</summary>
    public ReadOnlySpan<byte> Encoded => EncodedArray;

    /// <summary>The encoding's own array, for the store to bind without a copy; never written to.</summary>
    internal byte[] EncodedArray => _encoded ??= ChangeSetEncoding.Encode(_changes);

    public IEnumerator<StateChange> GetEnumerator() => ((IEnumerable<StateChange>)_changes).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
