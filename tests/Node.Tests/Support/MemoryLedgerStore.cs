using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Storage;

namespace P2PEnergy.Node.Tests.Support;

/// <summary>An <see cref="ILedgerStore"/> in memory for tests: same contract as the SQLite store, no durability.</summary>
public sealed class MemoryLedgerStore : ILedgerStore
{
    private readonly object _gate = new();
    private readonly MemoryState _state = new();
    private readonly List<(Block Block, IReadOnlyList<TransactionResult> Results, IReadOnlyList<StateChange> Changes)> _blocks = [];
    private readonly Dictionary<Hash32, (ulong, TransactionResult)> _transactions = new();

    public ulong Height { get { lock (_gate) return (ulong)_blocks.Count; } }
    public Hash32 AppHash { get; private set; } = Hash32.Zero;
    public Hash32 LastBlockHash { get; private set; } = Hash32.Zero;
    public Hash32? GenesisHash { get; private set; }

    public byte[]? Get(string key) { lock (_gate) return _state.Get(key); }
    public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix) { lock (_gate) return _state.Scan(prefix); }
    public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix, string from) { lock (_gate) return _state.Scan(prefix, from); }

    public void InitializeGenesis(Hash32 genesisHash, IReadOnlyList<StateChange> sortedChanges, Hash32 appHash)
    {
        lock (_gate)
        {
            if (GenesisHash is not null) throw new InvalidOperationException("store already holds a chain");
            _state.Apply(sortedChanges);
            GenesisHash = genesisHash;
            AppHash = appHash;
        }
    }

    /// <summary>When set, the next <see cref="Commit"/> fails (as a full disk would) and stores nothing.</summary>
    public bool FailNextCommit { get; set; }

    public void Commit(Block block, Hash32 blockHash, IReadOnlyList<TransactionResult> results, IReadOnlyList<StateChange> sortedChanges, Hash32 appHash)
    {
        lock (_gate)
        {
            if (FailNextCommit)
            {
                FailNextCommit = false;
                throw new IOException("disk full");
            }
            if (block.Header.Height != (ulong)_blocks.Count + 1) throw new InvalidOperationException($"expected height {_blocks.Count + 1}, got {block.Header.Height}");
            _blocks.Add((block, results, sortedChanges));
            _state.Apply(sortedChanges);
            foreach (var r in results) _transactions[Hash32.FromBytes(r.TransactionId.Span)] = (block.Header.Height, r);
            AppHash = appHash;
            LastBlockHash = blockHash;
        }
    }

    public Block? GetBlock(ulong height) { lock (_gate) return height >= 1 && height <= (ulong)_blocks.Count ? _blocks[(int)height - 1].Block : null; }
    public IReadOnlyList<TransactionResult> GetResults(ulong height) { lock (_gate) return _blocks[(int)height - 1].Results; }
    public (ulong Height, TransactionResult Result)? FindTransaction(Hash32 transactionId) { lock (_gate) return _transactions.TryGetValue(transactionId, out var found) ? found : null; }
    public IReadOnlyList<StateChange> GetChanges(ulong height) { lock (_gate) return _blocks[(int)height - 1].Changes; }

    /// <summary>Overwrites a stored block's state changes, as an attacker with disk access might.</summary>
    public void Tamper(ulong height, IReadOnlyList<StateChange> changes)
    {
        lock (_gate) _blocks[(int)height - 1] = (_blocks[(int)height - 1].Block, _blocks[(int)height - 1].Results, changes);
    }

    public void Dispose() { }
}
