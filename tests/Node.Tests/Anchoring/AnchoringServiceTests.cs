using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using P2PEnergy.Anchor.Evm;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Anchoring;
using P2PEnergy.Node.Consensus;
using P2PEnergy.Node.Tests.Ledger;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Anchoring;

/// <summary>
/// The anchoring service's passes (<see cref="AnchoringService.StepAsync"/>) against an in-memory anchor: what it posts,
/// when it waits for the proposer, and how it reports. The EVM side is <see cref="IAnchorChain"/>, exercised against a
/// real Hardhat node by the wallet's anchoring end-to-end test.
/// </summary>
public sealed class AnchoringServiceTests
{
    /// <summary>An anchor that keeps heights strictly increasing, as the contract does, and records every post.</summary>
    private sealed class MemoryAnchor(ulong chainId) : IAnchorChain
    {
        public ulong LastHeight;
        public readonly List<SubmitCheckpointFunction> Posts = [];
        public Task<AnchorChainState> ReadAsync(CancellationToken cancellationToken)
            => Task.FromResult(new AnchorChainState(chainId, LastHeight, Hash32.Zero));

        public Task<PostOutcome> PostAsync(SubmitCheckpointFunction checkpoint, CancellationToken cancellationToken)
        {
            if (checkpoint.Header.Height <= LastHeight) return Task.FromResult<PostOutcome>(new PostOutcome.Superseded($"StaleHeight(height={checkpoint.Header.Height}, lastHeight={LastHeight})"));
            Posts.Add(checkpoint);
            LastHeight = checkpoint.Header.Height;
            return Task.FromResult<PostOutcome>(new PostOutcome.Anchored($"0x{Posts.Count:x64}", Posts.Count, 90_000));
        }

        public void Dispose() { }
    }

    private static (AnchoringService Service, AnchorMonitor Monitor) Service(TestNode node, MemoryAnchor anchor, Address? validator = null, int every = 3, int nonProposerDelayMs = 30_000)
    {
        var options = new AnchorOptions { EvmRpcUrl = "http://127.0.0.1:1", Contract = "0x" + new string('a', 40), KeystoreFile = "k", EveryBlocks = every, NonProposerDelayMs = nonProposerDelayMs };
        var monitor = new AnchorMonitor(options.Contract, () => node.Store.Height);
        var service = new AnchoringService(_ => Task.FromResult<IAnchorChain>(anchor), node.Store, node.Chain.Parameters, node.Engine.Feed,
            validator ?? node.Chain.Validator.Address, options, node.Clock, monitor, NullLogger.Instance);
        return (service, monitor);
    }

    private static void Commit(TestNode node, int blocks)
    {
        for (int i = 0; i < blocks; i++)
        {
            node.Clock.Advance(TimeSpan.FromSeconds(2));
            Assert.NotNull(node.Engine.TryCommit());
        }
    }

    [Fact]
    public async Task Behind_PostsTheNewestMultiple_ThenWaitsForTheNextBlock()
    {
        var node = new TestNode();
        Commit(node, 7);
        var anchor = new MemoryAnchor(LedgerHarness.ChainId);
        var (service, monitor) = Service(node, anchor);
        await service.StepAsync(CancellationToken.None);
        Assert.Equal([6UL], anchor.Posts.Select(p => p.Header.Height));
        Assert.Equal((6UL, 1UL), (monitor.LastAnchored, monitor.Lag));
        Assert.Equal(1UL, monitor.Snapshot().Posted);
        // Nothing is due until block 9: the pass waits on the block feed, not on a timer.
        var waiting = service.StepAsync(CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        Commit(node, 1);
        await waiting;
        Assert.Single(anchor.Posts);
        Commit(node, 1);
        await service.StepAsync(CancellationToken.None);
        Assert.Equal([6UL, 9UL], anchor.Posts.Select(p => p.Header.Height));
    }

    [Fact]
    public async Task Restart_ResumesFromTheContractsHeight_WithoutPostingItAgain()
    {
        var node = new TestNode();
        Commit(node, 7);
        var anchor = new MemoryAnchor(LedgerHarness.ChainId) { LastHeight = 6 };
        var (service, monitor) = Service(node, anchor);
        var waiting = service.StepAsync(CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        Assert.Empty(anchor.Posts);
        Assert.Equal(6UL, monitor.LastAnchored);
        Commit(node, 2);
        await waiting;
        await service.StepAsync(CancellationToken.None);
        Assert.Equal([9UL], anchor.Posts.Select(p => p.Header.Height));
    }

    [Fact]
    public async Task NotTheProposer_WaitsItsDelayPastTheBlockTime_ThenPostsOnlyIfStillMissing()
    {
        var node = new TestNode();
        Commit(node, 3);
        var anchor = new MemoryAnchor(LedgerHarness.ChainId);
        var blockTime = DateTimeOffset.FromUnixTimeMilliseconds(node.Store.GetBlock(3)!.Header.TimeMs);
        // The delay has already passed on this node's clock, so the pass returns at once without posting.
        node.Clock.Set(blockTime.AddSeconds(31));
        var (service, _) = Service(node, anchor, validator: PrivateKey.Generate().Address);
        await service.StepAsync(CancellationToken.None);
        Assert.Empty(anchor.Posts);
        // The proposer posted meanwhile: the next pass reads it and posts nothing.
        anchor.LastHeight = 3;
        var idle = service.StepAsync(CancellationToken.None);
        Assert.False(idle.IsCompleted);
        Assert.Empty(anchor.Posts);

        // Another run where the proposer never posted: the non-proposer does, after its wait.
        var other = new MemoryAnchor(LedgerHarness.ChainId);
        var (late, _) = Service(node, other, validator: PrivateKey.Generate().Address);
        await late.StepAsync(CancellationToken.None);
        await late.StepAsync(CancellationToken.None);
        Assert.Equal([3UL], other.Posts.Select(p => p.Header.Height));
    }

    [Fact]
    public async Task ValidatorSetHandOver_IsPostedFirst_WithTheNextSet()
    {
        var node = new TestNode();
        Commit(node, 1);
        var change = new SetValidatorSet { Nonce = 1, Validators = { new ValidatorEntry { Validator = ByteString.CopyFrom(node.Chain.Validator.Address.Bytes), Power = 5 } } };
        Assert.Equal("OK", node.Mempool.Submit(LedgerHarness.Envelope(change, node.Chain.Utility).ToByteArray()).Code);
        node.Engine.TryCommit(); // 2: the set is in force from 4, so header 3 hands over
        Commit(node, 4);         // up to 6
        var anchor = new MemoryAnchor(LedgerHarness.ChainId);
        var (service, _) = Service(node, anchor);
        await service.StepAsync(CancellationToken.None);
        await service.StepAsync(CancellationToken.None);
        Assert.Equal([3UL, 6UL], anchor.Posts.Select(p => p.Header.Height));
        var handOver = Assert.Single(anchor.Posts[0].NextValidators);
        Assert.Equal((node.Chain.Validator.Address.ToString(), 5UL), (handOver.Address, handOver.Power));
        Assert.Empty(anchor.Posts[1].NextValidators);
    }

    [Fact]
    public async Task AnchorOfAnotherLedger_IsAnError_NotAPost()
    {
        var node = new TestNode();
        Commit(node, 3);
        var (service, _) = Service(node, new MemoryAnchor(LedgerHarness.ChainId + 1));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => service.StepAsync(CancellationToken.None));
        Assert.Contains($"anchors ledger chain {LedgerHarness.ChainId + 1}, this node is chain {LedgerHarness.ChainId}", error.Message);
    }

    [Fact]
    public void Backoff_DoublesFromTheInitialWait_UpToTheCap()
    {
        var node = new TestNode();
        var (service, _) = Service(node, new MemoryAnchor(LedgerHarness.ChainId));
        Assert.Equal([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000], Enumerable.Range(1, 8).Select(n => service.Backoff(n).TotalMilliseconds));
        Assert.Equal(60000, service.Backoff(500).TotalMilliseconds);
    }

    [Fact]
    public void Monitor_ReportsFailuresUntilTheNextSuccess()
    {
        var node = new TestNode();
        var monitor = new AnchorMonitor("0xabc", () => node.Store.Height);
        monitor.Failed("no answer from http://127.0.0.1:1", 42);
        monitor.Failed("no answer from http://127.0.0.1:1", 43);
        var status = monitor.Snapshot();
        Assert.Equal((2UL, "no answer from http://127.0.0.1:1", 43L), (status.Failures, status.LastError, status.LastErrorTimeMs));
        Assert.False(monitor.Healthy);
        monitor.Posted(5, "0x01");
        Assert.True(monitor.Healthy);
        Assert.Equal(("", 5UL, "0x01"), (monitor.Snapshot().LastError, monitor.Snapshot().LastAnchoredHeight, monitor.Snapshot().LastTransaction));
    }
}
