using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.ProcessState;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.Kernel;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Storage;

namespace P2PEnergy.Node.Hosting;

/// <summary>
/// <c>p2pe-node verify</c>: DESIGN.md rule 3 as an audit. Replays every stored block from genesis through the
/// <see cref="BlockExecutor"/> on a fresh <see cref="MemoryState"/>, and compares each block's transaction results
/// (codes, messages, ids) with the stored ones and its app hash with the header's, then the final state with the
/// stored state, so a block, a result or a state row edited on disk is found. The replay is cold: it never publishes
/// what one block's execution built (flow books) to the next, so every block is computed from state alone, as a
/// restarted node or another validator computes it. A chain imported from a snapshot at H
/// replays from the state at H (the blocks before it are not in the store).
/// </summary>
public static class ChainVerifier
{
    /// <summary>
    /// Null when the store replays exactly; otherwise what differs first, naming the height. A chain imported from a
    /// snapshot replays from its <paramref name="snapshot"/> (the base and the state entries at it, whose root must be the
    /// base's) instead of from genesis.
    /// </summary>
    public static string? Verify(GenesisDocument genesis, ILedgerStore store, byte[]? gridModel = null,
        (SnapshotBase Base, IEnumerable<KeyValuePair<string, byte[]>> Entries)? snapshot = null)
    {
        var parameters = genesis.ToParameters();
        var executor = new BlockExecutor(parameters, new TransactionVerifier(parameters.ChainId, Secp256k1.Default), new GridAdmission(new FlowBookCache()));
        var state = new MemoryState();
        Hash32 appHash;
        ulong first = 1;
        if (snapshot is { } start)
        {
            var root = new StateRoot();
            var entries = new List<StateChange>();
            foreach (var (key, value) in start.Entries)
            {
                root.Add(key, value);
                entries.Add(new StateChange(key, value));
            }
            if (root.Root() != start.Base.StateRoot) return $"height {start.Base.Height}: the snapshot's state hashes to {root.Root()}, the store's base says {start.Base.StateRoot}";
            state.Apply(entries);
            (appHash, first) = (start.Base.AppHash, start.Base.Height + 1);
        }
        else
        {
            (var changes, appHash) = GenesisState.Build(genesis, gridModel);
            state.Apply(changes);
        }
        for (ulong height = first; height <= store.Height; height++)
        {
            var block = store.GetBlock(height);
            if (block is null) return $"height {height}: block is missing";
            var header = block.Header;
            if (header.Height != height) return $"height {height}: stored block says height {header.Height}";
            // Through an empty overlay that carries the process's memo of parsed grid models and fee histories, as the node reads.
            var execution = executor.Execute(new StateOverlay(state, DecodedStateCache.Process), appHash, height, header.TimeMs, block.Transactions.Select(t => (t.ToByteArray(), (VerifiedTransaction?)null)).ToList());
            if (Results(height, store.GetResults(height), execution.Results) is { } difference) return difference;
            if (!execution.AppHash.Bytes.SequenceEqual(header.AppHash.Span))
                return $"height {height}: app hash mismatch, replay gives {execution.AppHash}, the header says {Hash32.FromBytes(header.AppHash.Span)}";
            state.Apply(execution.Changes);
            appHash = execution.AppHash;
        }
        if (appHash != store.AppHash) return $"height {store.Height}: the store's app hash {store.AppHash} differs from the replayed {appHash}";
        var stored = store.Scan("").ToList();
        var replayed = state.Scan("").ToList();
        for (int i = 0; i < Math.Max(stored.Count, replayed.Count); i++)
        {
            if (i >= stored.Count) return $"height {store.Height}: stored state lacks key {replayed[i].Key}";
            if (i >= replayed.Count) return $"height {store.Height}: stored state has extra key {stored[i].Key}";
            if (stored[i].Key != replayed[i].Key || !stored[i].Value.AsSpan().SequenceEqual(replayed[i].Value))
                return $"height {store.Height}: stored state differs from the replay at key {(string.CompareOrdinal(stored[i].Key, replayed[i].Key) <= 0 ? stored[i].Key : replayed[i].Key)}";
        }
        return null;
    }

    private static string? Results(ulong height, IReadOnlyList<TransactionResult> stored, IReadOnlyList<TransactionResult> replayed)
    {
        if (stored.Count != replayed.Count) return $"height {height}: the store holds {stored.Count} transaction results, the replay gives {replayed.Count}";
        for (int i = 0; i < stored.Count; i++)
            if (!stored[i].Equals(replayed[i]))
                return $"height {height}: transaction {i} ({Hex.Encode(replayed[i].TransactionId.Span)}) result differs: stored {stored[i].Code} '{stored[i].Message}', replay gives {replayed[i].Code} '{replayed[i].Message}'";
        return null;
    }
}
