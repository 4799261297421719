using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using P2PEnergy.Node.Hosting.Configuration;

namespace P2PEnergy.Node.Anchoring;

/// <summary>
/// Settings of the anchoring service, section <c>Node:Anchor</c> (environment <c>P2PE_Node__Anchor__*</c>). Off unless
/// <see cref="EvmRpcUrl"/> is set; docs/node.md and docs/anchoring.md list them with their defaults.
/// </summary>
public sealed class AnchorOptions
{
    /// <summary>The environment variable holding the anchor account's keystore password when no file is named.</summary>
    public const string PasswordVariable = "P2PE_ANCHOR_PASSWORD";

    private const string Prefix = "Node:Anchor";

    [Description("EVM JSON-RPC endpoint (http or https) of the chain the anchor contract is on; empty turns anchoring off")]
    public string EvmRpcUrl { get; set; } = "";

    [Description("Address of the deployed P2PEnergyAnchor contract")]
    public string Contract { get; set; } = "";

    [Description("Keystore v3 file of the Ethereum account that pays for checkpoints (not the validator key)")]
    public string KeystoreFile { get; set; } = "";

    [Description("File whose first line is the anchor keystore's password; else the environment variable P2PE_ANCHOR_PASSWORD")]
    public string PasswordFile { get; set; } = "";

    [Description("Anchor the newest height that is a multiple of this (0: only after settlements and validator-set changes)")]
    [Range(0, int.MaxValue)]
    public int EveryBlocks { get; set; } = 100;

    [Description("Also anchor every block that settles an interval")]
    public bool AfterSettlement { get; set; } = true;

    [Description("EVM blocks (counting the one that holds it) a checkpoint transaction must have before it counts as posted")]
    [Range(1, 1000)]
    public int Confirmations { get; set; } = 1;

    [Description("First wait after a failed attempt, in ms; doubles per failure up to RetryMaxMs")]
    [Range(1, int.MaxValue)]
    public int RetryInitialMs { get; set; } = 1000;

    [Description("Longest wait between failed attempts, in ms")]
    [Range(1, int.MaxValue)]
    public int RetryMaxMs { get; set; } = 60_000;

    [Description("A validator that did not propose a height waits this long after the block's time before it posts the checkpoint itself, in ms")]
    [Range(0, int.MaxValue)]
    public int NonProposerDelayMs { get; set; } = 30_000;

    [Description("How long a sent transaction may stay unmined before it is replaced (same nonce, fees raised by 1/8), in ms")]
    [Range(1, int.MaxValue)]
    public int ReceiptTimeoutMs { get; set; } = 60_000;

    [Description("Replacements of one checkpoint transaction before the attempt counts as failed")]
    [Range(0, 20)]
    public int MaxReplacements { get; set; } = 3;

    [Description("How often receipts and confirmations are polled, in ms")]
    [Range(1, int.MaxValue)]
    public int PollIntervalMs { get; set; } = 1000;

    [Description("Bound on one JSON-RPC request, in ms")]
    [Range(100, int.MaxValue)]
    public int RequestTimeoutMs { get; set; } = 10_000;

    [Description("The most this node pays per gas (max fee per gas), in gwei")]
    [Range(1, long.MaxValue)]
    public long MaxFeePerGasGwei { get; set; } = 500;

    public bool Enabled => !string.IsNullOrWhiteSpace(EvmRpcUrl);

    /// <summary>Throws <see cref="NodeSettingException"/> naming the first setting at fault (only when anchoring is on).</summary>
    public void Validate()
    {
        if (!Enabled) return;
        if (!Uri.TryCreate(EvmRpcUrl, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            throw new NodeSettingException($"{Prefix}:EvmRpcUrl", EvmRpcUrl, "an absolute http(s) URL");
        if (string.IsNullOrWhiteSpace(Contract)) throw new NodeSettingException($"{Prefix}:Contract", Contract, $"the anchor contract's address when {Prefix}:EvmRpcUrl is set");
        if (string.IsNullOrWhiteSpace(KeystoreFile)) throw new NodeSettingException($"{Prefix}:KeystoreFile", KeystoreFile, $"a keystore file when {Prefix}:EvmRpcUrl is set");
        if (EveryBlocks < 0) throw new NodeSettingException($"{Prefix}:EveryBlocks", EveryBlocks, "≥ 0");
        if (EveryBlocks == 0 && !AfterSettlement)
            throw new NodeSettingException($"{Prefix}:EveryBlocks", EveryBlocks, $"> 0 while {Prefix}:AfterSettlement is false (else only validator-set changes would be anchored)");
        if (Confirmations is < 1 or > 1000) throw new NodeSettingException($"{Prefix}:Confirmations", Confirmations, "in [1, 1000]");
        if (RetryInitialMs < 1 || RetryMaxMs < RetryInitialMs)
            throw new NodeSettingException($"{Prefix}:RetryInitialMs", RetryInitialMs, $"in [1, {Prefix}:RetryMaxMs ({RetryMaxMs})]");
        if (NonProposerDelayMs < 0) throw new NodeSettingException($"{Prefix}:NonProposerDelayMs", NonProposerDelayMs, "≥ 0");
        if (ReceiptTimeoutMs < 1) throw new NodeSettingException($"{Prefix}:ReceiptTimeoutMs", ReceiptTimeoutMs, "≥ 1");
        if (MaxReplacements is < 0 or > 20) throw new NodeSettingException($"{Prefix}:MaxReplacements", MaxReplacements, "in [0, 20]");
        if (PollIntervalMs < 1) throw new NodeSettingException($"{Prefix}:PollIntervalMs", PollIntervalMs, "≥ 1");
        if (RequestTimeoutMs < 100) throw new NodeSettingException($"{Prefix}:RequestTimeoutMs", RequestTimeoutMs, "≥ 100");
        if (MaxFeePerGasGwei < 1) throw new NodeSettingException($"{Prefix}:MaxFeePerGasGwei", MaxFeePerGasGwei, "≥ 1");
    }
}
