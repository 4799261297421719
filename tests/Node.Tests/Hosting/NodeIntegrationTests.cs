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
using P2PEnergy.Node.Tests.Ledger;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Node.Tests.Hosting;

/// <summary>The node in-process on 127.0.0.1: submit, watch, read and stream over the real gRPC wire; then verify the store.</summary>
[Trait("Category", "Integration")]
public sealed class NodeIntegrationTests
{
    private static DateTime In(int seconds) => DateTime.UtcNow.AddSeconds(seconds);

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

    [Fact]
    public async Task Node_CommitsAdmitAndContract_ServesReadsAndStreams_AndVerifies()
    {
        using var directory = new NodeDirectory();
        var chain = directory.Chain;
        await using (var host = directory.CreateHost())
        {
            using var startup = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await host.StartAsync(startup.Token);
            using var channel = NodeChannel.Create(host.Address);

            var admit = LedgerHarness.Envelope(new Admit { Account = ByteString.CopyFrom(chain.Carol.Address.Bytes), Role = "Consumer", Name = "Carol", Nonce = 1 }, chain.Operator);
            Assert.Equal(ReasonCodes.Ok, (await CommitAsync(channel, admit)).Result.Code);
            var contract = await CommitAsync(channel, LedgerHarness.Envelope(chain.Contract(chain.Alice, chain.Bob), chain.Alice, chain.Bob));
            Assert.Equal(ReasonCodes.Ok, contract.Result.Code);

            var carol = await channel.Ledger().GetAccountAsync(new GetAccountRequest { Address = ByteString.CopyFrom(chain.Carol.Address.Bytes) }, deadline: In(10)).ResponseAsync;
            Assert.True(carol.Admitted);
            var unknown = await Assert.ThrowsAsync<RpcException>(() => channel.Ledger().GetAccountAsync(new GetAccountRequest { Address = ByteString.CopyFrom(chain.Stranger.Address.Bytes) }, deadline: In(10)).ResponseAsync);
            Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
            var invalid = await Assert.ThrowsAsync<RpcException>(() => channel.Ledger().GetAccountAsync(new GetAccountRequest { Address = ByteString.CopyFrom([1, 2, 3]) }, deadline: In(10)).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
            Assert.Contains("address", invalid.Status.Detail);

            var byAlice = await channel.Ledger().ListContractsAsync(new ListContractsRequest { Party = ByteString.CopyFrom(chain.Alice.Address.Bytes) }, deadline: In(10)).ResponseAsync;
            Assert.Equal(contract.Result.PayloadId, Assert.Single(byAlice.Contracts).Id);
            var byCarol = await channel.Ledger().ListContractsAsync(new ListContractsRequest { Party = ByteString.CopyFrom(chain.Carol.Address.Bytes) }, deadline: In(10)).ResponseAsync;
            Assert.Empty(byCarol.Contracts);

            var heights = new List<ulong>();
            await foreach (var block in channel.Ledger().StreamBlocks(new StreamBlocksRequest { FromHeight = 1 }, deadline: In(10)).ReadAll())
            {
                heights.Add(block.Header.Height);
                if (heights.Count == (int)contract.Height + 1) break; // replayed history, then one followed live
            }
            Assert.Equal(Enumerable.Range(1, heights.Count).Select(h => (ulong)h), heights);

            var status = await channel.Ledger().GetNodeStatusAsync(new GetNodeStatusRequest(), deadline: In(10)).ResponseAsync;
            Assert.Equal(LedgerHarness.ChainId, status.ChainId);
            Assert.True(status.Height > contract.Height);
            Assert.Equal(chain.Validator.Address.Bytes.ToArray(), status.Validator.ToByteArray());

            var never = new List<TransactionStatus>();
            await foreach (var s in channel.Ledger().WatchTransaction(new WatchTransactionRequest { TransactionId = ByteString.CopyFrom(new byte[32]) }, deadline: In(10)).ReadAll())
                never.Add(s);
            Assert.Equal(TransactionStatus.Types.State.Unknown, Assert.Single(never).State);
        }

        Assert.Equal(0, await NodeCli.Build().Parse(["verify", "--data-dir", directory.Data.Path]).InvokeAsync());
    }

    [Fact]
    public async Task Verify_DetectsATamperedStore()
    {
        using var directory = new NodeDirectory();
        await using (var host = directory.CreateHost(heartbeatMs: 50))
        {
            await host.StartAsync();
            using var channel = NodeChannel.Create(host.Address);
            var chain = directory.Chain;
            await CommitAsync(channel, LedgerHarness.Envelope(new Admit { Account = ByteString.CopyFrom(chain.Carol.Address.Bytes), Role = "Consumer", Name = "Carol", Nonce = 1 }, chain.Operator));
        }
        using (var store = SqliteLedgerStore.Open(directory.Data.LedgerFile))
            Assert.Null(ChainVerifier.Verify(directory.Data.ReadGenesis(), store));

        // Mint money on disk: Carol's account row gets a balance the ledger never granted.
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={directory.Data.LedgerFile}"))
        {
            connection.Open();
            var key = Node.Ledger.State.StateKeys.Account(directory.Chain.Carol.Address);
            using var read = connection.CreateCommand();
            read.CommandText = "SELECT value FROM state WHERE key = $k";
            read.Parameters.AddWithValue("$k", key);
            var account = AccountState.Parser.ParseFrom((byte[])read.ExecuteScalar()!);
            account.Balance = 1_000_000_000;
            using var write = connection.CreateCommand();
            write.CommandText = "UPDATE state SET value = $v WHERE key = $k";
            write.Parameters.AddWithValue("$k", key);
            write.Parameters.AddWithValue("$v", account.ToByteArray());
            Assert.Equal(1, write.ExecuteNonQuery());
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        using (var store = SqliteLedgerStore.Open(directory.Data.LedgerFile))
            Assert.Contains(StateKeyFragment(directory.Chain.Carol.Address), ChainVerifier.Verify(directory.Data.ReadGenesis(), store));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Assert.NotEqual(0, await NodeCli.Build().Parse(["verify", "--data-dir", directory.Data.Path]).InvokeAsync());
    }

    [Fact]
    public async Task Verify_DetectsAnEditedTransactionResult()
    {
        using var directory = new NodeDirectory();
        await using (var host = directory.CreateHost(heartbeatMs: 50))
        {
            await host.StartAsync();
            using var channel = NodeChannel.Create(host.Address);
            var chain = directory.Chain;
            // Refused at execution: Alice holds far less. Its result is what the edit below rewrites.
            var refused = await CommitAsync(channel, LedgerHarness.Envelope(new Withdraw { Account = ByteString.CopyFrom(chain.Alice.Address.Bytes), Amount = 1_000_000_000_000, Nonce = 1 }, chain.Operator));
            Assert.Equal(ReasonCodes.InsufficientFunds, refused.Result.Code);
        }
        // The state is untouched; only the stored message of the refusal says something else.
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={directory.Data.LedgerFile}"))
        {
            connection.Open();
            using var write = connection.CreateCommand();
            write.CommandText = "UPDATE transactions SET message = 'admitted after all' WHERE code <> 'OK'";
            Assert.Equal(1, write.ExecuteNonQuery());
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        using (var store = SqliteLedgerStore.Open(directory.Data.LedgerFile))
        {
            var difference = ChainVerifier.Verify(directory.Data.ReadGenesis(), store);
            Assert.NotNull(difference);
            Assert.Contains("result differs: stored INSUFFICIENT_FUNDS 'admitted after all', replay gives INSUFFICIENT_FUNDS '", difference);
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task Init_RefusesANonEmptyDataDirectory()
    {
        using var directory = new NodeDirectory();
        var genesis = Path.Combine(Path.GetDirectoryName(directory.Data.Path)!, "genesis.json");
        var passwordFile = Path.Combine(Path.GetDirectoryName(directory.Data.Path)!, "password.txt");
        await File.WriteAllTextAsync(passwordFile, "x");
        Assert.Equal(1, await NodeCli.Build().Parse(["init", "--genesis", genesis, "--data-dir", directory.Data.Path, "--password-file", passwordFile]).InvokeAsync());
    }

    private static string StateKeyFragment(Address address) => address.ToLowerHex();
}
