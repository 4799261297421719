using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.ProcessState;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.Kernel;

namespace P2PEnergy.Node.Tests.Ledger;

/// <summary>
/// Replays a harness chain's blocks with a fresh executor (and so a fresh flow-book cache) for every block — what a
/// restarted node or another validator computes — and names the first block whose results or app hash differ.
/// </summary>
public static class ColdReplay
{
    /// <summary>Null when every block agrees; otherwise the first difference, naming height, position and values.</summary>
    public static string? FirstDifference(LedgerHarness warm, LedgerHarness fresh)
    {
        var appHash = fresh.AppHash;
        for (int b = 0; b < warm.Blocks.Count; b++)
        {
            var (height, time, transactions, expected) = warm.Blocks[b];
            var executor = new BlockExecutor(fresh.Parameters, new TransactionVerifier(LedgerHarness.ChainId, Secp256k1.Default), new GridAdmission(new FlowBookCache()));
            var execution = executor.Execute(fresh.State, appHash, height, time, transactions.Select(t => (t, (VerifiedTransaction?)null)).ToList());
            var warmResults = warm.BlockResults[b];
            for (int i = 0; i < Math.Max(warmResults.Count, execution.Results.Count); i++)
            {
                string Show(IReadOnlyList<TransactionResult> list) => i < list.Count ? $"{list[i].Code} '{list[i].Message}'" : "nothing";
                if (i >= warmResults.Count || i >= execution.Results.Count || !warmResults[i].Equals(execution.Results[i]))
                    return $"height {height} transaction {i}: warm node {Show(warmResults)}, cold node {Show(execution.Results)}";
            }
            if (execution.AppHash != expected) return $"height {height}: warm app hash {expected}, cold {execution.AppHash}";
            fresh.State.Apply(execution.Changes);
            appHash = execution.AppHash;
        }
        return null;
    }
}
