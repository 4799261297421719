using P2PEnergy.Anchor.Evm;
using P2PEnergy.Anchor.Tests.Support;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Anchoring;

namespace P2PEnergy.Node.Tests.Anchoring;

/// <summary>
/// Posting through Nethereum against a Hardhat node that mines a block every 300 ms: confirmations are waited for, a
/// height another poster took is superseded, a refusal names the contract's error, and an endpoint that is gone fails fast.
/// </summary>
[Trait("Category", "Integration")]
public sealed class EvmAnchorChainTests : IAsyncLifetime
{
    private readonly PrivateKey _poster = new(Keccak256.Hash("evm-anchor-chain/poster"u8).Bytes);
    private HardhatNode? _evm;

    public async Task InitializeAsync()
    {
        if (EvmFactAttribute.MissingPrerequisite() is not null) return;
        _evm = await HardhatNode.StartAsync(blockIntervalMs: 300);
        await _evm.FundAsync(_poster.Address.ToString());
    }

    public async Task DisposeAsync()
    {
        if (_evm is not null) await _evm.DisposeAsync();
    }

    private async Task<EvmAnchorChain> ChainAsync(TestValidators validators, int confirmations)
    {
        var (address, _) = await AnchorClient.DeployAsync(_evm!.Url, _poster, TestValidators.LedgerChainId, validators.Set, TimeSpan.FromSeconds(30));
        var options = new AnchorOptions { Confirmations = confirmations, PollIntervalMs = 50, ReceiptTimeoutMs = 20_000 };
        return new EvmAnchorChain(await AnchorClient.ConnectAsync(_evm.Url, address, _poster, TimeSpan.FromSeconds(10)), options, TimeProvider.System);
    }

    [EvmFact]
    public async Task Post_WaitsForItsConfirmations_ThenASecondPostOfTheHeightIsSuperseded()
    {
        var validators = new TestValidators("evm-chain", 4);
        using var chain = await ChainAsync(validators, confirmations: 3);
        var call = AnchorCheckpoint.From(validators.CommitByAll(validators.Header(9)), null);
        var anchored = Assert.IsType<PostOutcome.Anchored>(await chain.PostAsync(call, CancellationToken.None));
        var tip = (await _evm!.RpcAsync("eth_blockNumber")).GetString()!;
        Assert.True(Convert.ToInt64(tip, 16) - (long)anchored.EvmBlock + 1 >= 3, $"returned at EVM block {tip}, mined in {anchored.EvmBlock}");
        Assert.Equal(9UL, (await chain.ReadAsync(CancellationToken.None)).LastHeight);
        var again = Assert.IsType<PostOutcome.Superseded>(await chain.PostAsync(AnchorCheckpoint.From(validators.CommitByAll(validators.Header(9)), null), CancellationToken.None));
        Assert.Contains("StaleHeight(height=9, lastHeight=9)", again.Why);
    }

    [EvmFact]
    public async Task Refusal_NamesTheContractsError_AndSpendsNoGas()
    {
        var validators = new TestValidators("evm-refusal", 4);
        using var chain = await ChainAsync(validators, confirmations: 1);
        var nonce = (await _evm!.RpcAsync("eth_getTransactionCount", _poster.Address.ToString(), "latest")).GetString();
        var thin = AnchorCheckpoint.From(validators.Commit(validators.Header(9), [0, 1]), null);
        var refused = await Assert.ThrowsAsync<AnchorRejectedException>(() => chain.PostAsync(thin, CancellationToken.None));
        Assert.Equal("InsufficientPower", refused.Revert.Error);
        Assert.Contains("the anchor refused checkpoint 9: InsufficientPower(signed=20, total=40)", refused.Message);
        Assert.Equal(nonce, (await _evm.RpcAsync("eth_getTransactionCount", _poster.Address.ToString(), "latest")).GetString());
    }

    [EvmFact]
    public async Task EndpointGone_FailsTheAttempt_WithinTheRequestTimeout()
    {
        var validators = new TestValidators("evm-gone", 4);
        using var chain = await ChainAsync(validators, confirmations: 1);
        await _evm!.DisposeAsync();
        _evm = null;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<Exception>(() => chain.ReadAsync(CancellationToken.None));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
    }
}
