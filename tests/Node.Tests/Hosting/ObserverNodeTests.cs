using Google.Protobuf;
using Grpc.Core;
using P2PEnergy.Contracts.Api;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Hosting;
using P2PEnergy.Node.Tests.Ledger;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Hosting;

/// <summary>
/// Issue 15, observer nodes: <c>p2pe-node init --observer</c> makes a data directory without a validator key;
/// <c>run</c> on it needs no password, signs nothing, serves reads and refuses writes with READ_ONLY_NODE; GetNodeStatus
/// names the role (observer, validator, standby).
/// </summary>
[Trait("Category", "Integration")]
public sealed class ObserverNodeTests
{
    private static DateTime In(int seconds) => DateTime.UtcNow.AddSeconds(seconds);

    private static string NewRoot()
    {
        var root = Path.Combine(Path.GetTempPath(), "p2pe-observer-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        return root;
    }

    [Fact]
    public async Task InitObserver_WritesNodeKeyGenesisAndLedger_ButNoValidatorKey_AndSetsObserver()
    {
        var root = NewRoot();
        try
        {
            var chain = new LedgerHarness();
            var genesis = Path.Combine(root, "genesis.json");
            File.WriteAllText(genesis, chain.Document.ToJson());
            var data = new DataDirectory(Path.Combine(root, "observer"));
            // No password anywhere: an observer has no key to encrypt.
            Assert.Equal(NodeExitCode.Ok, await NodeCli.Build().Parse(["init", "--genesis", genesis, "--data-dir", data.Path, "--observer"]).InvokeAsync());
            Assert.False(File.Exists(data.ValidatorKeyFile));
            Assert.True(File.Exists(data.NodeKeyFile));
            Assert.True(File.Exists(data.LedgerFile));
            Assert.Equal(File.ReadAllBytes(genesis), File.ReadAllBytes(data.GenesisFile));
            Assert.True(NodeConfiguration.Load(data.Path, new Dictionary<string, string?>()).Options.Observer);

            // --observer with a key to import is a contradiction, refused before anything is written.
            var other = Path.Combine(root, "other");
            var keyFile = Path.Combine(root, "key.hex");
            File.WriteAllText(keyFile, "0x" + Convert.ToHexStringLower(chain.Validator.Bytes));
            Assert.Equal(NodeExitCode.SetupError, await NodeCli.Build().Parse(["init", "--genesis", genesis, "--data-dir", other, "--observer", "--validator-key-file", keyFile]).InvokeAsync());
            Assert.False(Directory.Exists(other));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public async Task ObserverNode_ServesReads_RefusesWritesWithReadOnlyNode_AndReportsItsRole()
    {
        using var directory = new NodeDirectory();
        var chain = directory.Chain;
        var observerData = new DataDirectory(Path.Combine(Path.GetDirectoryName(directory.Data.Path)!, "observer"));
        NodeInitializer.InitializeObserver(directory.GenesisFile, observerData);
        var settings = new Dictionary<string, string?> { ["Node:DataDir"] = observerData.Path, ["Node:Api:Port"] = "0", ["Node:Operations:Port"] = "0" };
        await using var host = NodeHost.Create(settings, password: "", new ShiftedClock(LedgerHarness.Genesis + TimeSpan.FromSeconds(10)));
        using var startup = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await host.StartAsync(startup.Token);
        using var channel = NodeChannel.Create(host.Address);
        var ledger = channel.Ledger();

        var status = await ledger.GetNodeStatusAsync(new GetNodeStatusRequest(), deadline: In(10)).ResponseAsync;
        Assert.Equal(NodeRoles.Observer, status.Role);
        Assert.True(status.Validator.IsEmpty);
        Assert.Equal(LedgerHarness.ChainId, status.ChainId);

        // Reads: the genesis state (the harness's operator account) is there.
        var account = await ledger.GetAccountAsync(new GetAccountRequest { Address = ByteString.CopyFrom(chain.Alice.Address.Bytes) }, deadline: In(10)).ResponseAsync;
        Assert.True(account.Admitted);
        var grid = await channel.Grid().GetGridStatusAsync(new GetGridStatusRequest(), deadline: In(10)).ResponseAsync;
        Assert.NotNull(grid);

        // Writes: refused, one and many, with the stable code and a message that says where to go instead.
        var tx = LedgerHarness.Envelope(new Deposit { Account = ByteString.CopyFrom(chain.Alice.Address.Bytes), Amount = 5, Nonce = 1 }, chain.Operator);
        var one = await Assert.ThrowsAsync<RpcException>(() => ledger.SubmitTransactionAsync(new SubmitTransactionRequest { Transaction = tx.ToByteString() }, deadline: In(10)).ResponseAsync);
        var refusal = NodeRefusal.Of(one);
        Assert.Equal((StatusCode.FailedPrecondition, ApiReasons.ReadOnlyNode.Code), (refusal.Status, refusal.Code));
        Assert.Contains("observer", refusal.Message);
        Assert.Contains("validator", refusal.Message);
        var many = new SubmitTransactionsRequest();
        many.Transactions.Add(tx.ToByteString());
        var batch = await Assert.ThrowsAsync<RpcException>(() => ledger.SubmitTransactionsAsync(many, deadline: In(10)).ResponseAsync);
        Assert.Equal(ApiReasons.ReadOnlyNode.Code, NodeRefusal.Of(batch).Code);
    }

    [Fact]
    public async Task ValidatorNode_ReportsRoleValidator_AndStandbyWhenItsKeyHasNoPower()
    {
        using (var directory = new NodeDirectory())
        await using (var host = directory.CreateHost())
        {
            using var startup = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await host.StartAsync(startup.Token);
            using var channel = NodeChannel.Create(host.Address);
            var status = await channel.Ledger().GetNodeStatusAsync(new GetNodeStatusRequest(), deadline: In(10)).ResponseAsync;
            Assert.Equal(NodeRoles.Validator, status.Role);
            Assert.Equal(directory.Chain.Validator.Address.Bytes.ToArray(), status.Validator.ToByteArray());
        }

        // A genesis whose one validator is another key: this node's key holds no power, so it follows and signs nothing.
        var stranger = LedgerHarness.Key(61);
        using (var directory = new NodeDirectory(configure: g => g.Validators = [new P2PEnergy.Node.Ledger.Genesis.GenesisValidator { Address = stranger.Address.ToString(), Power = 1, Operator = "elsewhere", Role = "Independent" }]))
        await using (var host = directory.CreateHost())
        {
            using var startup = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await host.StartAsync(startup.Token);
            using var channel = NodeChannel.Create(host.Address);
            var status = await channel.Ledger().GetNodeStatusAsync(new GetNodeStatusRequest(), deadline: In(10)).ResponseAsync;
            Assert.Equal(NodeRoles.Standby, status.Role);
            Assert.Equal(0UL, status.Height); // it signed nothing, so nothing was decided
        }
    }
}
