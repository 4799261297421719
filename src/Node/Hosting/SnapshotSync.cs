using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.ValidatorSets;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.Kernel;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.ProcessState;
using P2PEnergy.Node.Storage;

namespace P2PEnergy.Node.Hosting;

/// <summary>
/// <c>p2pe-node snapshot sync</c>: brings a stopped node (one imported from a snapshot, or any that fell behind) up to
/// another node's ledger file of the same chain, read beside that node while it runs. Each block after the node's tip must
/// follow it (height, previous hash), carry a commit of more than 2/3 of the validators in force at its height by the
/// node's own state, and re-execute to the app hash in its header; it then commits exactly as consensus would have. The
/// source is trusted for nothing. Fetching the blocks from peers over the network is the peer service's block sync
/// (docs/operator.md "Snapshots"); this is the same check on blocks at hand.
/// </summary>
public static class SnapshotSync
{
    /// <summary>Applies the source's blocks after <paramref name="dataDir"/>'s tip; returns (first, last) applied, last &lt; first when none.</summary>
    public static (ulong First, ulong Last) CatchUp(DataDirectory dataDir, string sourceLedgerFile)
    {
        if (!File.Exists(sourceLedgerFile)) throw new NodeSetupException($"source ledger {sourceLedgerFile} does not exist");
        using var dataLock = DataDirectoryLock.Acquire(dataDir);
        var parameters = dataDir.ReadGenesis().ToParameters();
        using var store = SqliteLedgerStore.Open(dataDir.LedgerFile);
        using var source = StateSnapshot.Open(sourceLedgerFile);
        if (store.GenesisHash is not { } genesisHash || genesisHash != source.GenesisHash)
            throw new SnapshotRejection(SnapshotRejection.WrongChain, $"{sourceLedgerFile} is a chain with genesis {source.GenesisHash}; {dataDir.Path} is one with genesis {store.GenesisHash}");
        var executor = new BlockExecutor(parameters, new TransactionVerifier(parameters.ChainId, Secp256k1.Default), new Grid.GridAdmission(new FlowBookCache()));
        var state = new CommittedStateCache(store, capacity: 250_000);
        ulong first = store.Height + 1;
        for (ulong height = first; height <= source.Height; height++)
        {
            var block = source.Block(height) ?? throw new SnapshotRejection(SnapshotRejection.BlockMismatch, $"{sourceLedgerFile} lacks block {height} (it is at {source.Height})");
            var trusted = ValidatorSchedule.InForce(state, parameters, height).ToDictionary(v => v.Address, v => (ulong)v.Power);
            var hash = CommitQuorum.Require(block, height, parameters.ChainId, trusted);
            var header = block.Header;
            if (!header.PreviousHash.Span.SequenceEqual(store.LastBlockHash.Bytes))
                throw new SnapshotRejection(SnapshotRejection.BlockMismatch, $"block {height} follows {Hex.Encode(header.PreviousHash.Span)}, not this node's block {height - 1} ({store.LastBlockHash})");
            var execution = executor.Execute(state, store.AppHash, height, header.TimeMs, block.Transactions.Select(t => (t.ToByteArray(), (VerifiedTransaction?)null)).ToList());
            if (!execution.AppHash.Bytes.SequenceEqual(header.AppHash.Span))
                throw new SnapshotRejection(SnapshotRejection.AppHashMismatch, $"block {height} executes to app hash {execution.AppHash}, its header says {Hash32.FromBytes(header.AppHash.Span)}; blocks up to {height - 1} were applied");
            store.Commit(block, hash, execution.Results, execution.Changes, execution.AppHash);
            state.Apply(execution.Changes);
        }
        return (first, store.Height);
    }
}
