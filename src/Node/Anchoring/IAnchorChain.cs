using System.Numerics;
using P2PEnergy.Anchor.Evm;
using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Node.Anchoring;

/// <summary>What the anchor contract holds, as last read.</summary>
public sealed record AnchorChainState(ulong LedgerChainId, ulong LastHeight, Hash32 ValidatorSetHash);

/// <summary>How posting one checkpoint ended.</summary>
public abstract record PostOutcome
{
    /// <summary>Our transaction anchored it and has the configured confirmations.</summary>
    public sealed record Anchored(string Transaction, BigInteger EvmBlock, BigInteger GasUsed) : PostOutcome;

    /// <summary>The contract already holds this height or a later one (another validator posted first).</summary>
    public sealed record Superseded(string Why) : PostOutcome;
}

/// <summary>The contract refused a checkpoint for a reason other than its height (the revert names it).</summary>
public sealed class AnchorRejectedException(AnchorRevert revert, ulong height)
    : Exception($"the anchor refused checkpoint {height}: {revert}")
{
    public AnchorRevert Revert { get; } = revert;
}

/// <summary>The EVM side of the anchoring service (the seam its tests replace): read the contract, post a checkpoint.</summary>
public interface IAnchorChain : IDisposable
{
    Task<AnchorChainState> ReadAsync(CancellationToken cancellationToken);

    Task<PostOutcome> PostAsync(SubmitCheckpointFunction checkpoint, CancellationToken cancellationToken);
}
