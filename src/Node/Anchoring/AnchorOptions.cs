namespace P2PEnergy.Node.Anchoring;

/// <summary>
/// Settings of the anchoring service, section <c>Node:Anchor</c> (environment <c>P2PE_Node__Anchor__*</c>). Off unless
/// <see cref="EvmRpcUrl"/> is set; docs/node.md and docs/anchoring.md list them with their defaults.
/// </summary>
public sealed class AnchorOptions
{
    /// <summary>The environment variable holding the anchor account's keystore password when no file is named.</summary>
    public const string PasswordVariable = "P2PE_ANCHOR_PASSWORD";

    /// <summary>EVM JSON-RPC endpoint (http or https); empty turns anchoring off.</summary>
    public string EvmRpcUrl { get; set; } = "";

    /// <summary>Address of the deployed P2PEnergyAnchor contract.</summary>
    public string Contract { get; set; } = "";

    /// <summary>Keystore v3 file of the Ethereum account that pays for checkpoints (not the validator key).</summary>
    public string KeystoreFile { get; set; } = "";

    /// <summary>File whose first line is the keystore's password; else <see cref="PasswordVariable"/>.</summary>
    public string PasswordFile { get; set; } = "";

    /// <summary>Anchor the newest height that is a multiple of this (0: only after settlements and set changes).</summary>
    public int EveryBlocks { get; set; } = 100;

    /// <summary>Also anchor every block that settles an interval.</summary>
    public bool AfterSettlement { get; set; } = true;

    /// <summary>EVM blocks (counting the one that holds it) a checkpoint transaction must have before it counts as posted.</summary>
    public int Confirmations { get; set; } = 1;

    /// <summary>First wait after a failed attempt; doubles per failure up to <see cref="RetryMaxMs"/>.</summary>
    public int RetryInitialMs { get; set; } = 1000;

    public int RetryMaxMs { get; set; } = 60_000;

    /// <summary>A validator that did not propose a height waits this long after the block's time before it posts the checkpoint itself.</summary>
    public int NonProposerDelayMs { get; set; } = 30_000;

    /// <summary>How long a sent transaction may stay unmined before it is replaced (same nonce, fees raised by 1/8).</summary>
    public int ReceiptTimeoutMs { get; set; } = 60_000;

    /// <summary>Replacements of one checkpoint transaction before the attempt counts as failed.</summary>
    public int MaxReplacements { get; set; } = 3;

    /// <summary>How often receipts and confirmations are polled.</summary>
    public int PollIntervalMs { get; set; } = 1000;

    /// <summary>Bound on one JSON-RPC request.</summary>
    public int RequestTimeoutMs { get; set; } = 10_000;

    /// <summary>The most this node pays per gas (max fee per gas), in gwei.</summary>
    public long MaxFeePerGasGwei { get; set; } = 500;

    public bool Enabled => !string.IsNullOrWhiteSpace(EvmRpcUrl);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range (only when anchoring is on).</summary>
    public void Validate()
    {
        if (!Enabled) return;
        if (!Uri.TryCreate(EvmRpcUrl, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            throw new ArgumentException($"Node:Anchor:EvmRpcUrl must be an absolute http(s) URL, got '{EvmRpcUrl}'");
        if (string.IsNullOrWhiteSpace(Contract)) throw new ArgumentException("Node:Anchor:Contract is required when Node:Anchor:EvmRpcUrl is set");
        if (string.IsNullOrWhiteSpace(KeystoreFile)) throw new ArgumentException("Node:Anchor:KeystoreFile is required when Node:Anchor:EvmRpcUrl is set");
        if (EveryBlocks < 0) throw new ArgumentException($"Node:Anchor:EveryBlocks must be ≥ 0, got {EveryBlocks}");
        if (EveryBlocks == 0 && !AfterSettlement) throw new ArgumentException("Node:Anchor: EveryBlocks 0 with AfterSettlement false would anchor only set changes; set one of them");
        if (Confirmations is < 1 or > 1000) throw new ArgumentException($"Node:Anchor:Confirmations must lie in [1, 1000], got {Confirmations}");
        if (RetryInitialMs < 1 || RetryMaxMs < RetryInitialMs) throw new ArgumentException($"Node:Anchor:RetryInitialMs ({RetryInitialMs}) must be ≥ 1 and ≤ RetryMaxMs ({RetryMaxMs})");
        if (NonProposerDelayMs < 0) throw new ArgumentException($"Node:Anchor:NonProposerDelayMs must be ≥ 0, got {NonProposerDelayMs}");
        if (ReceiptTimeoutMs < 1) throw new ArgumentException($"Node:Anchor:ReceiptTimeoutMs must be ≥ 1, got {ReceiptTimeoutMs}");
        if (MaxReplacements is < 0 or > 20) throw new ArgumentException($"Node:Anchor:MaxReplacements must lie in [0, 20], got {MaxReplacements}");
        if (PollIntervalMs < 1) throw new ArgumentException($"Node:Anchor:PollIntervalMs must be ≥ 1, got {PollIntervalMs}");
        if (RequestTimeoutMs < 100) throw new ArgumentException($"Node:Anchor:RequestTimeoutMs must be ≥ 100, got {RequestTimeoutMs}");
        if (MaxFeePerGasGwei < 1) throw new ArgumentException($"Node:Anchor:MaxFeePerGasGwei must be ≥ 1, got {MaxFeePerGasGwei}");
    }
}
