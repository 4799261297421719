using System.Numerics;
using P2PEnergy.Anchor.Evm;
using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Anchor.Tests.Support;

/// <summary>One Hardhat node per test class (when the prerequisites are there), a funded deployer and sender key, and a fresh anchor per test.</summary>
public sealed class HardhatFixture : IAsyncLifetime
{
    private HardhatNode? _node;

    public HardhatNode Node => _node ?? throw new InvalidOperationException(EvmFactAttribute.MissingPrerequisite() ?? "hardhat did not start");

    /// <summary>Pays for deployments and checkpoints (funded with hardhat_setBalance).</summary>
    public PrivateKey Sender { get; } = new(Keccak256.Hash("anchor-tests/sender"u8).Bytes);

    public async Task InitializeAsync()
    {
        if (EvmFactAttribute.MissingPrerequisite() is not null) return;
        _node = await HardhatNode.StartAsync();
        await _node.FundAsync(Sender.Address.ToString());
    }

    public async Task DisposeAsync()
    {
        if (_node is not null) await _node.DisposeAsync();
    }

    /// <summary>Deploys an anchor for <paramref name="validators"/> and connects a client that sends as <see cref="Sender"/>.</summary>
    public async Task<AnchorClient> DeployAsync(TestValidators validators, ulong ledgerChainId = TestValidators.LedgerChainId)
    {
        var (address, _) = await AnchorClient.DeployAsync(Node.Url, Sender, ledgerChainId, validators.Set, TimeSpan.FromSeconds(30));
        return await AnchorClient.ConnectAsync(Node.Url, address, Sender, TimeSpan.FromSeconds(30));
    }

    /// <summary>Simulates the call; when it would pass, sends it and returns the receipt's gas. Exactly one of the two is set.</summary>
    public static async Task<(AnchorRevert? Revert, BigInteger GasUsed)> SubmitAsync(AnchorClient client, SubmitCheckpointFunction call)
    {
        if (await client.SimulateAsync(call) is { } revert) return (revert, 0);
        var gas = await client.EstimateGasAsync(call);
        var hash = await client.SendAsync(call, await client.MinedNonceAsync(), gas * 6 / 5, await client.SuggestFeesAsync());
        var receipt = await client.ReceiptAsync(hash) ?? throw new InvalidOperationException($"no receipt for {hash} on an automining node");
        Assert.Equal(1, (int)receipt.Status.Value);
        return (null, receipt.GasUsed.Value);
    }
}
