using P2PEnergy.Node.Anchoring;
using P2PEnergy.Node.Hosting;
using P2PEnergy.Node.Hosting.Configuration;

namespace P2PEnergy.Node.Tests.Anchoring;

/// <summary>Anchoring settings: off by default, and each bad one refused naming the setting and the value.</summary>
public sealed class AnchorOptionsTests
{
    private static AnchorOptions On() => new() { EvmRpcUrl = "http://127.0.0.1:8545", Contract = "0x" + new string('a', 40), KeystoreFile = "anchor.json" };

    [Fact]
    public void Default_IsOff_AndNeedsNothingElse()
    {
        var options = new NodeOptions { DataDir = "/tmp/x" };
        Assert.False(options.Anchor.Enabled);
        options.Validate();
        On().Validate();
    }

    public static TheoryData<Action<AnchorOptions>, string> BadSettings() => new()
    {
        { a => a.EvmRpcUrl = "ftp://127.0.0.1", "Node:Anchor:EvmRpcUrl must be an absolute http(s) URL, got 'ftp://127.0.0.1'" },
        { a => a.EvmRpcUrl = "127.0.0.1:8545", "Node:Anchor:EvmRpcUrl must be an absolute http(s) URL" },
        { a => a.Contract = "", "Node:Anchor:Contract must be the anchor contract's address when Node:Anchor:EvmRpcUrl is set, got (empty)" },
        { a => a.KeystoreFile = " ", "Node:Anchor:KeystoreFile must be a keystore file when Node:Anchor:EvmRpcUrl is set, got ' '" },
        { a => a.EveryBlocks = -1, "Node:Anchor:EveryBlocks must be ≥ 0, got -1" },
        { a => { a.EveryBlocks = 0; a.AfterSettlement = false; }, "Node:Anchor:EveryBlocks must be > 0 while Node:Anchor:AfterSettlement is false" },
        { a => a.Confirmations = 0, "Node:Anchor:Confirmations must be in [1, 1000], got 0" },
        { a => a.RetryMaxMs = 10, "Node:Anchor:RetryInitialMs must be in [1, Node:Anchor:RetryMaxMs (10)], got 1000" },
        { a => a.NonProposerDelayMs = -5, "Node:Anchor:NonProposerDelayMs must be ≥ 0, got -5" },
        { a => a.MaxReplacements = 21, "Node:Anchor:MaxReplacements must be in [0, 20], got 21" },
        { a => a.RequestTimeoutMs = 99, "Node:Anchor:RequestTimeoutMs must be ≥ 100, got 99" },
        { a => a.MaxFeePerGasGwei = 0, "Node:Anchor:MaxFeePerGasGwei must be ≥ 1, got 0" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void BadSetting_IsRefused_NamingIt(Action<AnchorOptions> spoil, string message)
    {
        var options = new NodeOptions { DataDir = "/tmp/x", Anchor = On() };
        spoil(options.Anchor);
        Assert.Contains(message, Assert.Throws<NodeSettingException>(options.Validate).Message);
    }
}
