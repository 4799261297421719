using Google.Protobuf;
using P2PEnergy.Node.Tests.Support;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using Grpc.Core;
using Grpc.Net.Client;
using P2PEnergy.Contracts.Api;
using P2PEnergy.Node.Api;
using P2PEnergy.Node.Hosting;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Storage;
using P2PEnergy.Node.Tests.Hosting;
using P2PEnergy.Node.Tests.Ledger;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Node.Tests.Grid;

/// <summary>
/// A node whose genesis names a grid model, in-process over the real gRPC wire: init copies the model, the executor
/// checks contracts against it, p2pe.v1.Grid reports the flow book, and verify replays with the model.
/// </summary>
[Trait("Category", "Integration")]
public sealed class GridNodeTests
{
    private static DateTime In(int seconds) => DateTime.UtcNow.AddSeconds(seconds);

    [Fact]
    public async Task Node_WithGenesisGridModel_ChecksContracts_ServesGridStatus_AndVerifies()
    {
        var chain = new LedgerHarness();
        var root = Path.Combine(Path.GetTempPath(), "p2pe-grid-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            var model = SmallFeeder.File(sp1Rating: 9_000).ToJsonBytes();
            File.WriteAllBytes(Path.Combine(root, "grid.json"), model);
            var genesis = chain.Document;
            genesis.GridModelFile = "grid.json";
            genesis.GridModelHash = Keccak256.Hash(model).ToString();
            var genesisFile = Path.Combine(root, "genesis.json");
            File.WriteAllText(genesisFile, genesis.ToJson());
            var data = new DataDirectory(Path.Combine(root, "data"));
            NodeInitializer.Initialize(genesisFile, data, NodeDirectory.Password, chain.Validator, new ScryptKdf(1 << 10, 8, 1));
            Assert.Equal(model, File.ReadAllBytes(data.GridModelFile));

            var terms = chain.Contract(chain.Alice, chain.Bob); // 8 kW over SP1, rated 9 kW
            var overload = chain.Contract(chain.Alice, chain.Bob, wh: 500, nonce: 2); // +2 kW
            await using (var host = NodeHost.Create(
                new Dictionary<string, string?> { ["Node:DataDir"] = data.Path, ["Node:Api:Port"] = "0", ["Node:HeartbeatMs"] = "200" },
                NodeDirectory.Password, new ShiftedClock(LedgerHarness.Genesis.AddSeconds(10))))
            {
                using var startup = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await host.StartAsync(startup.Token);
                using var channel = NodeChannel.Create(host.Address);
                Assert.Equal(ReasonCodes.Ok, (await CommitAsync(channel, LedgerHarness.Envelope(terms, chain.Alice, chain.Bob))).Result.Code);
                var refused = await CommitAsync(channel, LedgerHarness.Envelope(overload, chain.Alice, chain.Bob));
                Assert.Equal(ReasonCodes.ThermalLimit, refused.Result.Code);

                var status = await channel.Grid().GetGridStatusAsync(new GetGridStatusRequest { IntervalStart = terms.IntervalStart }, deadline: In(10)).ResponseAsync;
                var sp1 = status.Elements.Single(e => e.Element == "SP1");
                Assert.Equal(8_000, sp1.ActiveW);
                Assert.Equal(1_000, sp1.Headroom);
                var capacity = await channel.Grid().GetHostingCapacityAsync(new GetHostingCapacityRequest { Meter = "MTR-A", IntervalStart = terms.IntervalStart }, deadline: In(10)).ResponseAsync;
                Assert.Equal(1_000, capacity.ExportW);
                var misaligned = await Assert.ThrowsAsync<RpcException>(() => channel.Grid().GetGridStatusAsync(new GetGridStatusRequest { IntervalStart = terms.IntervalStart + 1 }, deadline: In(10)).ResponseAsync);
                Assert.Equal(StatusCode.InvalidArgument, misaligned.StatusCode);
            }
            using var store = SqliteLedgerStore.Open(data.LedgerFile);
            Assert.Null(ChainVerifier.Verify(data.ReadGenesis(), store, data.ReadGridModel(data.ReadGenesis())));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(root, recursive: true); } catch (IOException) { /* best effort on a temp dir */ }
        }
    }

    private static async Task<TransactionStatus> CommitAsync(GrpcChannel channel, Transaction tx)
    {
        var submitted = await channel.Ledger().SubmitTransactionAsync(new SubmitTransactionRequest { Transaction = tx.ToByteString() }, deadline: In(10)).ResponseAsync;
        Assert.True(submitted.Accepted, submitted.Message);
        TransactionStatus? last = null;
        await foreach (var status in channel.Ledger().WatchTransaction(new WatchTransactionRequest { TransactionId = submitted.TransactionId }, deadline: In(10)).ReadAll())
            last = status;
        Assert.Equal(TransactionStatus.Types.State.Committed, last!.State);
        return last;
    }
}
