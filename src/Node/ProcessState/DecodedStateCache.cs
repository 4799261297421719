using System.Collections.Concurrent;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.ProcessState;

/// <summary>
/// The process's decoded state values (installed grid models by model hash, fee histories by the array the committed
/// state handed out), shared by every reader the node executes, admits and quotes on. Bounded: it empties itself when
/// full, which costs a parse. Thread-safe: racing readers at worst decode twice.
/// </summary>
public sealed class DecodedStateCache(int capacity = 32) : IStateDecodings
{
    /// <summary>The one memo of the node's process, handed to execution by <see cref="CommittedStateCache"/> and <see cref="DoorStateCache"/>.</summary>
    public static DecodedStateCache Process { get; } = new();

    private readonly ConcurrentDictionary<object, object> _entries = new();

    public T Decoded<TArgument, T>(object identity, TArgument argument, Func<TArgument, T> decode) where T : class
    {
        if (_entries.TryGetValue(identity, out var held)) return (T)held;
        var value = decode(argument);
        // A 10,000-node grid model is tens of megabytes parsed: hold a handful, not every model a long chain installed.
        if (_entries.Count >= capacity) _entries.Clear();
        _entries[identity] = value;
        return value;
    }
}
