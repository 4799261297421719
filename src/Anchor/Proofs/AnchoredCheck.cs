using P2PEnergy.Anchor.Evm;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Anchor.Proofs;

/// <summary>
/// The online half of verifying a proof: the anchor contract on the EVM chain holds, at one of the proof's header heights
/// at or after the contract's block, exactly that header's hash. Since the headers chain by hash down to the contract's
/// block, the contract's block is then as final as the EVM chain itself.
/// </summary>
public static class AnchoredCheck
{
    public static async Task<ProofVerdict> VerifyAsync(ContractProof proof, AnchorClient anchor)
    {
        var facts = new List<string>();
        ulong ledger = await anchor.LedgerChainIdAsync();
        if (ledger != proof.ChainId)
            return ProofVerdict.Fail(ProofReasons.WrongLedger, $"the anchor at {anchor.Contract} anchors ledger chain {ledger}, the proof is for chain {proof.ChainId}", facts);
        ulong from = proof.Transactions.Max(t => t.Height);
        foreach (var block in proof.Headers.Where(b => b.Header.Height >= from))
        {
            var anchored = await anchor.CheckpointAsync(block.Header.Height);
            if (anchored == Hash32.Zero) continue;
            var hash = BlockHeaderHashing.Hash(block.Header);
            if (anchored != hash)
                return ProofVerdict.Fail(ProofReasons.AnchorConflict, $"the anchor holds {anchored} for height {block.Header.Height}, the proof's header there hashes to {hash}: the proof is not of the anchored chain", facts);
            facts.Add($"the anchor {anchor.Contract} (EVM chain {anchor.EvmChainId}) holds block {block.Header.Height} = {hash}");
            return new ProofVerdict(null, $"anchored: block {block.Header.Height} is checkpointed on the EVM chain and the proof's headers link the contract's block {from} to it", facts);
        }
        ulong last = await anchor.LastHeightAsync();
        return ProofVerdict.Fail(ProofReasons.NotAnchored, last >= proof.Headers[^1].Header.Height
            ? $"none of the proof's headers {from}..{proof.Headers[^1].Header.Height} is a checkpoint (the anchor is at {last}); make the proof again up to an anchored height (p2pe contract prove --to-height)"
            : $"no checkpoint at or after block {from} within the proof yet (the anchor is at {last}); prove again once the anchor passes it", facts);
    }
}
