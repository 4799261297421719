using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using P2PEnergy.Contracts.Api;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;
using P2PEnergy.Node.Consensus.Application;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.Hosting;
using P2PEnergy.Node.Ledger;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Network;
using P2PEnergy.Node.ProcessState;
using P2PEnergy.Node.Storage;
using P2PEnergy.Node.Tests.Ledger;
using P2PEnergy.Node.Tests.Network;
using P2PEnergy.Node.Tests.Support;
using Xunit.Abstractions;

namespace P2PEnergy.Node.Tests.Hosting;

/// <summary>
/// Issue 16: "a snapshot of state at a height lets a new observer start without replaying from genesis; it verifies the
/// app hash on import and syncs the rest" — the rest from running validators over the peer network (block sync). Two
/// validators in-process (<see cref="PeerCluster"/>) commit past certified height 10; its export is imported into a new
/// observer data directory, which, started with the validators as peers, catches up block by block (/readyz says
/// "catching up" meanwhile), reaches their app hash, follows new blocks, serves reads, refuses writes and verifies from
/// 10. Blocks below 10 it does not have and answers a request for them with none; an observer the validators do not list
/// is refused and stays at 10; a block that does not follow the imported tip or executes to another app hash is refused
/// with its reason code and nothing is written.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SnapshotPeerSyncTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(150);
    private readonly string _work = Directory.CreateTempSubdirectory("p2pe-snapshot-peers-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_work, recursive: true); } catch (IOException) { /* best effort on a temp dir */ }
    }

    private static int Cli(params string[] arguments) => NodeCli.Build().Parse(arguments).Invoke();

    private static Block BlockOf(NodeHost host, ulong height) => host.Services.GetRequiredService<ILedgerStore>().GetBlock(height)!;

    [Fact]
    public async Task ObserverImportedFromASnapshot_CatchesUpFromValidatorPeers_ToTheirAppHash_FollowsNewBlocks_AndVerifiesFromTheSnapshot()
    {
        var clock = Stopwatch.StartNew();
        // Nodes 0 and 1 validate; node 2's node key is in their Node:Peer:Observers, node 3's is replaced by one they do not list.
        await using var cluster = new PeerCluster(validators: 2, extra: 2, genesis: g => g.SnapshotIntervalBlocks = 10);
        // Validator 0 keeps every state file: the export below reads height 10's while the chain runs on.
        var validator = await cluster.StartAsync(0, dials: [1], settings: SnapshotTests.KeepAll);
        await cluster.StartAsync(1, dials: [0]);
        await SnapshotTests.WaitForCertificateAsync(cluster.Data[0].LedgerFile, 10, Bound);
        await validator.Snapshots.Idle();
        string archive = Path.Combine(_work, "snapshot-10.tar");
        Assert.Equal(0, Cli("snapshot", "export", "--data-dir", cluster.Data[0].Path, "--height", "10", "--to", archive));

        // A deposit after the snapshot height, so the blocks the observer fetches carry a transaction; then enough blocks
        // that it has more than one batch-sized step to take (it is two or more behind: block sync, not consensus).
        using var validatorChannel = NodeChannel.Create(validator.Address);
        var deposit = LedgerHarness.Envelope(new Deposit { Account = ByteString.CopyFrom(cluster.Chain.Alice.Address.Bytes), Amount = 7, Reference = "after the snapshot", Nonce = 910 }, cluster.Chain.Operator);
        var committed = await validatorChannel.CommitAsync(deposit);
        Assert.Equal(ReasonCodes.Ok, committed.Result.Code);
        await PeerCluster.WaitForAsync(() => PeerCluster.Height(validator) >= 30, Bound, () => $"validator 0 at {PeerCluster.Height(validator)}");

        var imported = new DataDirectory(Path.Combine(_work, "observer"));
        Assert.Equal(0, Cli("snapshot", "import", "--from", archive, "--genesis", cluster.GenesisFile, "--data-dir", imported.Path, "--observer"));
        Assert.False(File.Exists(imported.ValidatorKeyFile));
        // The node key the validators were given for it (an operator sends its address to them before it joins).
        File.Copy(cluster.Data[2].NodeKeyFile, imported.NodeKeyFile, overwrite: true);
        cluster.Data[2] = imported;

        var syncStates = new List<(string? State, string Readiness)>();
        var observer = await cluster.StartAsync(2, dials: [0, 1], settings: new Dictionary<string, string?> { ["Node:Operations:Port"] = "0" },
            beforeStart: host => host.Peers!.Sync.StateChanged += state => { lock (syncStates) syncStates.Add((state, host.Readiness.Check().Reason)); });

        ulong target = PeerCluster.Height(validator);
        // Block sync stores a batch block by block (the height shows each one) and counts the batch, then says "caught up",
        // only once the whole batch is stored: all three are awaited, since a height reached says nothing of the other two.
        bool CaughtUp() { lock (syncStates) return syncStates.Any(s => s.State is null); }
        await PeerCluster.WaitForAsync(() => PeerCluster.Height(observer) >= target && observer.Peers!.Sync.Applied >= 2 && CaughtUp(), Bound,
            () => $"observer at {PeerCluster.Height(observer)}, validators at {target}; block sync applied {observer.Peers!.Sync.Applied} blocks, caught up: {CaughtUp()}");
        lock (syncStates)
        {
            output.WriteLine(string.Join("\n", syncStates.Select(s => $"{s.State ?? "(caught up)"} -> {s.Readiness}")));
            // While blocks from peers are applied, readiness (/readyz) says why the node is not ready.
            var first = syncStates.First(s => s.State is not null);
            Assert.StartsWith("catching up: at height 10, ", first.Readiness);
        }
        // Every block the observer holds after the snapshot is the validators' block, app hash included.
        for (ulong h = 10; h <= target; h++) Assert.Equal(BlockOf(validator, h), BlockOf(observer, h));
        Assert.Null(observer.Services.GetRequiredService<ILedgerStore>().GetBlock(9));

        // It follows new blocks (now by consensus gossip) and is ready.
        // Both must hold it: the observer can store a height (from validator 1, or by the decision's gossip) before
        // validator 0 has (reading validator 0's block before that was this test's NullReferenceException under load).
        ulong later = PeerCluster.Height(validator) + 3;
        await PeerCluster.WaitForAsync(() => PeerCluster.Height(observer) >= later && PeerCluster.Height(validator) >= later, Bound,
            () => $"observer at {PeerCluster.Height(observer)}, validator 0 at {PeerCluster.Height(validator)}, waiting for {later}");
        Assert.Equal(BlockOf(validator, later).Header.AppHash, BlockOf(observer, later).Header.AppHash);
        // Ready, as /readyz tells a load balancer over HTTP/1.1 (the height in progress when block sync finished may still
        // come by block sync, "catching up" for those milliseconds, so a probe may land in one: it is asked again).
        var readyBy = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        Http11Probe.Answer ready;
        while ((ready = await Http11Probe.GetAsync(new Uri(observer.OperationsAddress!, "/readyz"))).Status != 200 && DateTime.UtcNow < readyBy) await Task.Delay(50);
        Assert.True(ready.Status == 200, $"/readyz answered {ready.Status}: {ready.Body}");

        // It serves reads (the deposit made after the snapshot is there) and refuses writes.
        using var observerChannel = NodeChannel.Create(observer.Address);
        var status = await observerChannel.StatusAsync();
        Assert.Equal(NodeRoles.Observer, status.Role);
        var seen = await observerChannel.WatchAsync(committed.Result.TransactionId);
        Assert.Equal((TransactionStatus.Types.State.Committed, committed.Height), (seen.State, seen.Height));
        var write = await Assert.ThrowsAsync<RpcException>(() => observerChannel.Ledger().SubmitTransactionAsync(
            new SubmitTransactionRequest { Transaction = LedgerHarness.Envelope(new Deposit { Account = ByteString.CopyFrom(cluster.Chain.Alice.Address.Bytes), Amount = 1, Nonce = 911 }, cluster.Chain.Operator).ToByteString() }).ResponseAsync);
        Assert.Equal(ApiReasons.ReadOnlyNode.Code, NodeRefusal.Of(write).Code);

        // Asked for blocks it does not have (before the snapshot), it answers with none; from the snapshot on, with its blocks.
        var parameters = cluster.Chain.Document.ToParameters();
        await using (var asker = await RoguePeer.ConnectAsync(cluster.PeerPorts[2], parameters.ChainId, Keccak256.Hash(File.ReadAllBytes(cluster.GenesisFile)),
            NodeKey.Read(cluster.Data[3].NodeKeyFile), height: 1, observers: [NodeKey.Read(imported.NodeKeyFile).Address]))
        {
            await asker.SendAsync(new PeerFrame { BlockRequest = new BlockRequest { From = 1, Count = 5 } });
            Assert.Empty((await asker.ReadAsync(PeerFrame.BodyOneofCase.BlockResponse)).BlockResponse.Blocks);
            await asker.SendAsync(new PeerFrame { BlockRequest = new BlockRequest { From = 10, Count = 3 } });
            Assert.Equal([10UL, 11UL, 12UL], (await asker.ReadAsync(PeerFrame.BodyOneofCase.BlockResponse)).BlockResponse.Blocks.Select(b => b.Header.Height));
        }

        // An observer whose node key the validators do not list is refused by them and stays at the snapshot.
        var stranger = new DataDirectory(Path.Combine(_work, "unlisted"));
        Assert.Equal(0, Cli("snapshot", "import", "--from", archive, "--genesis", cluster.GenesisFile, "--data-dir", stranger.Path, "--observer"));
        cluster.Data[3] = stranger;
        var unlisted = await cluster.StartAsync(3, dials: [0, 1]);
        await PeerCluster.WaitForAsync(() => validator.Peers!.Refusals.ContainsKey(PeerRefusal.UnknownKey), TimeSpan.FromSeconds(30),
            () => $"validator 0's refusals: {string.Join(", ", validator.Peers!.Refusals)}");
        Assert.Equal(10UL, PeerCluster.Height(unlisted));
        Assert.Empty(unlisted.Peers!.Peers);
        await cluster.StopAsync(3);

        await cluster.StopAsync(2);
        Assert.Equal(0, Cli("verify", "--data-dir", imported.Path));
        output.WriteLine($"took {clock.ElapsedMilliseconds} ms; observer caught up from 10 to {target}, followed to {later}");
    }

    [Fact]
    public async Task BlockSyncOnAnImportedTip_RefusesABlockThatDoesNotFollowIt_OrExecutesToAnotherAppHash_WithItsCode_AndWritesNothing()
    {
        await using var cluster = new PeerCluster(validators: 2, genesis: g => g.SnapshotIntervalBlocks = 10);
        var validator = await cluster.StartAsync(0, dials: [1]);
        await cluster.StartAsync(1, dials: [0]);
        await SnapshotTests.WaitForCertificateAsync(cluster.Data[0].LedgerFile, 10, Bound);
        await validator.Snapshots.Idle();
        string archive = Path.Combine(_work, "snapshot-10.tar");
        SnapshotArchive.Export(cluster.Data[0], 10, archive);
        await PeerCluster.WaitForAsync(() => PeerCluster.Height(validator) >= 13, Bound, () => $"validator 0 at {PeerCluster.Height(validator)}");
        Block next = BlockOf(validator, 11), after = BlockOf(validator, 12);
        await cluster.StopAsync(1);
        await cluster.StopAsync(0);

        var imported = new DataDirectory(Path.Combine(_work, "observer"));
        SnapshotArchive.Import(archive, cluster.GenesisFile, imported, "", null, observer: true);
        var parameters = cluster.Chain.Document.ToParameters();
        using var store = SqliteLedgerStore.Open(imported.LedgerFile);
        var verifier = new TransactionVerifier(parameters.ChainId, Secp256k1.Default);
        var application = new LedgerApplication(new BlockExecutor(parameters, verifier, new GridAdmission(new FlowBookCache())), verifier, store,
            new Mempool(verifier, parameters, store, () => parameters.GenesisTimeMs, 100));
        var tip = (store.Height, store.AppHash);
        Assert.Equal(10UL, tip.Height);

        // Block 12 offered as the next block: it does not follow block 10.
        AssertRefused(application, after, SnapshotRejection.BlockMismatch, "the block offered as height 11 of chain");

        // Block 11 naming another parent, its commit re-signed by both validators: a quorum signed it, but it does not
        // follow the imported tip.
        var orphan = Resigned(next, cluster, header => header.PreviousHash = ByteString.CopyFrom(new byte[32]));
        AssertRefused(application, orphan, SnapshotRejection.BlockMismatch, "it does not follow this node's tip at height 10");

        // Block 11 claiming another app hash, re-signed by both: it does not execute to what it claims.
        var forged = Resigned(next, cluster, header => header.AppHash = ByteString.CopyFrom(new byte[32]));
        AssertRefused(application, forged, SnapshotRejection.AppHashMismatch, "the block executes to app hash");
        Assert.Equal(tip, (store.Height, store.AppHash));

        // The true block 11 commits on the imported tip.
        SyncedBlock.Commit(application, next, parameters.ChainId);
        Assert.Equal((11UL, Hash32.FromBytes(next.Header.AppHash.Span)), (store.Height, store.AppHash));
    }

    private static void AssertRefused(LedgerApplication application, Block block, string code, string why)
    {
        var refused = Assert.Throws<RejectedBlock>(() => SyncedBlock.Commit(application, block, block.Header.ChainId));
        Assert.Equal(code, Assert.IsType<SnapshotRejection>(refused.InnerException).Code);
        Assert.StartsWith($"block 11: {code}: ", refused.Message);
        Assert.Contains(why, refused.Message);
        Assert.Equal(10UL, application.Height);
    }

    /// <summary>A copy of <paramref name="block"/> with its header changed by <paramref name="change"/> and a commit by every validator of the cluster.</summary>
    private static Block Resigned(Block block, PeerCluster cluster, Action<BlockHeader> change)
    {
        var copy = block.Clone();
        change(copy.Header);
        copy.Commit.BlockHash = ByteString.CopyFrom(BlockHeaderHashing.Hash(copy.Header).Bytes);
        var vote = new CommitVote { Height = copy.Header.Height, Round = copy.Commit.Round, BlockHash = copy.Commit.BlockHash, VoteType = VoteType.Precommit };
        var digest = LedgerTypedData.Digest(vote, copy.Header.ChainId);
        copy.Commit.Signatures.Clear();
        foreach (var key in cluster.Keys.Take(cluster.Chain.Document.Validators.Count))
            copy.Commit.Signatures.Add(new CommitSignature { Validator = ByteString.CopyFrom(key.Address.Bytes), Signature = ByteString.CopyFrom(key.Sign(digest).Bytes) });
        return copy;
    }
}
