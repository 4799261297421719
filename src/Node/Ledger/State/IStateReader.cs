namespace P2PEnergy.Node.Ledger.State;

/// <summary>
/// Read access to ledger state: protobuf records under ordered string keys (see <see cref="StateKeys"/>).
/// Keys compare ordinally (byte order of their ASCII), which is the order scans return and the app hash uses.
/// </summary>
public interface IStateReader
{
    /// <summary>The value under <paramref name="key"/>, or null.</summary>
    byte[]? Get(string key);

    /// <summary>Every (key, value) whose key starts with <paramref name="prefix"/>, in ordinal key order.</summary>
    IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix);

    /// <summary>
    /// Every (key, value) whose key starts with <paramref name="prefix"/> and is ordinally ≥ <paramref name="from"/>,
    /// in ordinal key order: a range scan that costs the size of what it returns, not of what it skips.
    /// </summary>
    IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix, string from);

    /// <summary>The host's memo of decoded values behind this reader, or null: pure readers decode on every read.</summary>
    IStateDecodings? Decodings => null;
}

/// <summary>One write of a block: a key set to a value, or deleted (null).</summary>
public readonly record struct StateChange(string Key, byte[]? Value);
