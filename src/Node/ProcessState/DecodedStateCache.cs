using System.Collections.Concurrent;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.ProcessState;

/// <summary>
/// The process's decoded state values (installed grid models by model hash, fee histories by the array the committed
/// state handed out), shared by every reader the node executes, admits and quotes on. Bounded per kind of identity: a
/// kind that fills empties itself, which costs a parse, and never evicts another kind — fee-history arrays change with
/// every read of a fresh state reader, a parsed grid model is megabytes of work. Thread-safe: racing readers at worst
/// decode twice.
/// </summary>
public sealed class DecodedStateCache(int capacity = 32) : IStateDecodings
{
    /// <summary>The one memo of the node's process, handed to execution by <see cref="CommittedStateCache"/> and <see cref="DoorStateCache"/>.</summary>
    public static DecodedStateCache Process { get; } = new();

    private readonly ConcurrentDictionary<Type, ConcurrentDictionary<object, object>> _kinds = new();

    public T Decoded<TArgument, T>(object identity, TArgument argument, Func<TArgument, T> decode) where T : class
    {
        var entries = _kinds.GetOrAdd(identity.GetType(), static _ => new ConcurrentDictionary<object, object>());
        if (entries.TryGetValue(identity, out var held)) return (T)held;
        var value = decode(argument);
        // A 10,000-node grid model is tens of megabytes parsed: hold a handful, not every model a long chain installed.
        if (entries.Count >= capacity) entries.Clear();
        entries[identity] = value;
        return value;
    }
}
