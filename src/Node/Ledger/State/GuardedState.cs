using System.Collections;

namespace P2PEnergy.Node.Ledger.State;

/// <summary>
/// Committed state as execution reads it: any exception from below (a SQLite or disk error) becomes a
/// <see cref="StateReadException"/>, which execution never turns into a transaction's outcome — a read that failed on
/// this node would succeed on the others, so the block fails instead (and is retried), rather than committing a
/// refusal nobody else computes.
/// </summary>
public sealed class GuardedState(IStateReader committed) : IStateReader
{
    public byte[]? Get(string key)
    {
        try { return committed.Get(key); }
        catch (Exception e) when (e is not (OutOfMemoryException or StateReadException)) { throw new StateReadException($"reading '{key}'", e); }
    }

    public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix) => Scan(prefix, prefix);

    public IStateDecodings? Decodings => committed.Decodings;

    public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix, string from) => new Guarded(() => committed.Scan(prefix, from), $"scanning '{prefix}' from '{from}'");

    private sealed class Guarded(Func<IEnumerable<KeyValuePair<string, byte[]>>> scan, string what) : IEnumerable<KeyValuePair<string, byte[]>>
    {
        public IEnumerator<KeyValuePair<string, byte[]>> GetEnumerator()
        {
            try { return new Enumerator(scan().GetEnumerator(), what); }
            catch (Exception e) when (e is not (OutOfMemoryException or StateReadException)) { throw new StateReadException(what, e); }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private sealed class Enumerator(IEnumerator<KeyValuePair<string, byte[]>> inner, string what) : IEnumerator<KeyValuePair<string, byte[]>>
    {
        public KeyValuePair<string, byte[]> Current => inner.Current;
        object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            try { return inner.MoveNext(); }
            catch (Exception e) when (e is not (OutOfMemoryException or StateReadException)) { throw new StateReadException(what, e); }
        }

        public void Reset() => inner.Reset();
        public void Dispose() => inner.Dispose();
    }
}

/// <summary>Committed state could not be read on this node: never a transaction's fault, so never its outcome.</summary>
public sealed class StateReadException(string what, Exception inner) : Exception($"committed state failed {what}: {inner.Message}", inner);
