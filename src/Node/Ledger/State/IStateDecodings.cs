namespace P2PEnergy.Node.Ledger.State;

/// <summary>
/// Decodings of state values that a host keeps between reads (a process cache), so a large or hot record is parsed once
/// rather than on every read. Keyed by what the value is (a content hash, or the very array a reader handed out), so a
/// held decoding is always the one decoding would give: a miss costs a parse, never an outcome.
/// </summary>
public interface IStateDecodings
{
    /// <summary>The decoding held for <paramref name="identity"/>, or <paramref name="decode"/>(<paramref name="argument"/>), now held.</summary>
    T Decoded<TArgument, T>(object identity, TArgument argument, Func<TArgument, T> decode) where T : class;
}
