using System.Numerics;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;
using P2PEnergy.Anchor.Evm;

namespace P2PEnergy.Node.Anchoring;

/// <summary>
/// Posts checkpoints through Nethereum: a dry run (eth_call) first, so a checkpoint the contract would refuse costs no gas
/// and its custom error is reported; then gas estimate + 25 %, the mined nonce, EIP-1559 fees capped by
/// <see cref="AnchorOptions.MaxFeePerGasGwei"/>; an unmined transaction is replaced (same nonce, fees + 1/8) after
/// <see cref="AnchorOptions.ReceiptTimeoutMs"/>; a mined one counts once it has <see cref="AnchorOptions.Confirmations"/>
/// and its receipt is still there (a reorganised-away transaction is posted again by the next attempt).
/// </summary>
public sealed class EvmAnchorChain(AnchorClient client, AnchorOptions options, TimeProvider clock) : IAnchorChain
{
    private static readonly BigInteger Gwei = 1_000_000_000;

    public async Task<AnchorChainState> ReadAsync(CancellationToken cancellationToken)
    {
        if (!await client.HasCodeAsync().WaitAsync(cancellationToken))
            throw new InvalidOperationException($"no contract is deployed at {client.Contract} on EVM chain {client.EvmChainId}");
        return new AnchorChainState(await client.LedgerChainIdAsync().WaitAsync(cancellationToken), await client.LastHeightAsync().WaitAsync(cancellationToken),
            await client.ValidatorSetHashAsync().WaitAsync(cancellationToken));
    }

    public async Task<PostOutcome> PostAsync(SubmitCheckpointFunction checkpoint, CancellationToken cancellationToken)
    {
        ulong height = checkpoint.Header.Height;
        if (await client.SimulateAsync(checkpoint).WaitAsync(cancellationToken) is { } revert)
            return revert.Error == "StaleHeight" ? new PostOutcome.Superseded(revert.ToString()) : throw new AnchorRejectedException(revert, height);
        var gas = await client.EstimateGasAsync(checkpoint).WaitAsync(cancellationToken) * 5 / 4;
        var nonce = await client.MinedNonceAsync().WaitAsync(cancellationToken);
        var fees = Cap(await client.SuggestFeesAsync().WaitAsync(cancellationToken));
        var sent = new List<string>();
        TransactionReceipt? receipt = null;
        for (int attempt = 0; attempt <= options.MaxReplacements && receipt is null; attempt++)
        {
            try { sent.Add(await client.SendAsync(checkpoint, nonce, gas, fees).WaitAsync(cancellationToken)); }
            catch (RpcResponseException e) when (sent.Count > 0 && e.Message.Contains("nonce", StringComparison.OrdinalIgnoreCase))
            {
                // "nonce too low": an earlier send of ours was mined meanwhile; its receipt is found below.
            }
            receipt = await WaitForReceiptAsync(sent, cancellationToken);
            fees = Cap(fees.Bumped());
        }
        if (receipt is null)
            throw new TimeoutException($"checkpoint {height}: no receipt for {string.Join(", ", sent)} after {options.MaxReplacements + 1} attempt(s) of {options.ReceiptTimeoutMs} ms");
        if (receipt.Status?.Value != 1)
        {
            // Mined but reverted: most likely another validator's checkpoint landed first in the same block.
            if (await client.SimulateAsync(checkpoint).WaitAsync(cancellationToken) is { Error: "StaleHeight" } stale) return new PostOutcome.Superseded(stale.ToString());
            throw new InvalidOperationException($"checkpoint {height}: transaction {receipt.TransactionHash} reverted on chain");
        }
        await WaitForConfirmationsAsync(receipt, cancellationToken);
        return new PostOutcome.Anchored(receipt.TransactionHash, receipt.BlockNumber.Value, receipt.GasUsed.Value);
    }

    private Fees Cap(Fees fees)
    {
        var cap = options.MaxFeePerGasGwei * Gwei;
        return fees.MaxFeePerGas <= cap ? fees : new Fees(cap, BigInteger.Min(fees.MaxPriorityFeePerGas, cap));
    }

    private async Task<TransactionReceipt?> WaitForReceiptAsync(IReadOnlyList<string> sent, CancellationToken cancellationToken)
    {
        var deadline = clock.GetUtcNow().AddMilliseconds(options.ReceiptTimeoutMs);
        while (true)
        {
            foreach (var hash in sent)
                if (await client.ReceiptAsync(hash).WaitAsync(cancellationToken) is { } receipt) return receipt;
            if (clock.GetUtcNow() >= deadline) return null;
            await Task.Delay(TimeSpan.FromMilliseconds(options.PollIntervalMs), clock, cancellationToken);
        }
    }

    private async Task WaitForConfirmationsAsync(TransactionReceipt receipt, CancellationToken cancellationToken)
    {
        while (await client.BlockNumberAsync().WaitAsync(cancellationToken) - receipt.BlockNumber.Value + 1 < options.Confirmations)
            await Task.Delay(TimeSpan.FromMilliseconds(options.PollIntervalMs), clock, cancellationToken);
        var again = await client.ReceiptAsync(receipt.TransactionHash).WaitAsync(cancellationToken);
        if (again is null || again.BlockHash != receipt.BlockHash)
            throw new InvalidOperationException($"checkpoint transaction {receipt.TransactionHash} left block {receipt.BlockNumber.Value} before {options.Confirmations} confirmations (a reorganisation); posting again");
    }

    public void Dispose() => client.Dispose();
}
