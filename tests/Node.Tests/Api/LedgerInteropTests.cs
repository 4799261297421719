using System.Text.Json;
using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using Grpc.Core;
using Grpc.Net.Client;
using P2PEnergy.Contracts.Api;
using P2PEnergy.Node.Api;
using P2PEnergy.Node.Hosting;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Tests.Hosting;
using P2PEnergy.Node.Tests.Ledger;
using P2PEnergy.Node.Tests.Support;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Node.Tests.Api;

/// <summary>
/// The must-show: tests/interop/ledger-client.js, a wallet built from the .proto files, docs/typed-data.md,
/// @grpc/grpc-js and ethers alone, drives the in-process node; its JSON report is checked against what C# reads.
/// </summary>
[Trait("Category", "Integration")]
public sealed class LedgerInteropTests
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(90);

    [InteropFact(Timeout = 150_000)]
    public async Task GrpcJsWallet_SignsWithEthers_CommitsAndReadsBackTheLedger()
    {
        using var directory = new NodeDirectory();
        var chain = directory.Chain;
        await using var host = directory.CreateHost(heartbeatMs: 200);
        using (var startup = new CancellationTokenSource(TimeSpan.FromSeconds(30))) await host.StartAsync(startup.Token);

        var config = Path.Combine(Path.GetDirectoryName(directory.Data.Path)!, "ledger-client.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            address = $"{host.Address.Host}:{host.Address.Port}",
            chainId = LedgerHarness.ChainId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            intervalSeconds = LedgerHarness.Interval,
            keys = new { @operator = KeyHex(chain.Operator), alice = KeyHex(chain.Alice), bob = KeyHex(chain.Bob), carol = KeyHex(chain.Carol) },
            meters = new { alice = "MTR-A", bob = "MTR-B" },
        }));

        using var report = await InteropScript.RunAsync("ledger-client.js", [config], ScriptTimeout);
        var root = report.RootElement;

        var transactions = root.GetProperty("transactions").EnumerateArray().ToList();
        Assert.Equal(["Admit", "Deposit", "EnergyContract"], transactions.Select(t => t.GetProperty("type").GetString()));
        foreach (var tx in transactions)
        {
            Assert.True(tx.GetProperty("accepted").GetBoolean(), tx.ToString());
            Assert.Equal((int)StatusCode.OK, tx.GetProperty("watchCode").GetInt32());
            Assert.Equal("COMMITTED", tx.GetProperty("states").EnumerateArray().Last().GetString());
            Assert.True(ReasonCodes.Ok == tx.GetProperty("resultCode").GetString(), tx.ToString());
            // The ledger's payload id (contract id, offer id) is the EIP-712 digest the parties signed, as
            // docs/typed-data.md says; ethers computes it from the doc-derived types and our domain.
            Assert.Equal(tx.GetProperty("digest").GetString(), tx.GetProperty("payloadId").GetString());
            // One signed transaction, one id: the node reports keccak256 of the bytes grpc-js sent, as the client computes it.
            Assert.Equal(tx.GetProperty("localId").GetString(), tx.GetProperty("transactionId").GetString());
        }
        var nonCanonical = root.GetProperty("nonCanonical");
        Assert.False(nonCanonical.GetProperty("accepted").GetBoolean());
        Assert.Equal(ReasonCodes.Malformed, nonCanonical.GetProperty("code").GetString());
        Assert.Contains("attachment", nonCanonical.GetProperty("message").GetString());

        using var channel = NodeChannel.Create(host.Address);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        var carol = await channel.Ledger().GetAccountAsync(new GetAccountRequest { Address = ByteString.CopyFrom(chain.Carol.Address.Bytes) }, deadline: deadline).ResponseAsync;
        var account = root.GetProperty("account");
        Assert.True(carol.Admitted);
        Assert.Equal(1_234_567UL, carol.Balance);
        Assert.Equal(carol.Balance.ToString(System.Globalization.CultureInfo.InvariantCulture), account.GetProperty("balance").GetString());
        Assert.Equal(carol.Name, account.GetProperty("name").GetString());
        Assert.Equal(chain.Carol.Address.ToString(), account.GetProperty("address").GetString());

        var contract = transactions[2];
        Assert.Contains(contract.GetProperty("payloadId").GetString(), root.GetProperty("contracts").GetProperty("ids").EnumerateArray().Select(i => i.GetString()));
        Assert.Contains(chain.Bob.Address.ToString(), root.GetProperty("contracts").GetProperty("buyers").EnumerateArray().Select(b => b.GetString()));
        var byAlice = await channel.Ledger().ListContractsAsync(new ListContractsRequest { Party = ByteString.CopyFrom(chain.Alice.Address.Bytes) }, deadline: deadline).ResponseAsync;
        Assert.Equal(byAlice.Contracts.Select(c => Hex.Encode(c.Id.Span)), root.GetProperty("contracts").GetProperty("ids").EnumerateArray().Select(i => i.GetString()));

        var block = root.GetProperty("block");
        Assert.Equal(contract.GetProperty("height").GetInt32(), block.GetProperty("height").GetInt32());
        Assert.Contains(contract.GetProperty("transactionId").GetString(), block.GetProperty("transactionIds").EnumerateArray().Select(i => i.GetString()));

        var stream = root.GetProperty("stream");
        Assert.Equal([1, 2, 3], stream.GetProperty("heights").EnumerateArray().Select(h => h.GetInt32()));
        Assert.Equal((int)StatusCode.Cancelled, stream.GetProperty("code").GetInt32());

        var status = root.GetProperty("status");
        Assert.Equal(LedgerHarness.ChainId.ToString(System.Globalization.CultureInfo.InvariantCulture), status.GetProperty("chainId").GetString());
        Assert.Equal(chain.Validator.Address.ToString(), status.GetProperty("validator").GetString());
        Assert.True(status.GetProperty("height").GetInt32() >= contract.GetProperty("height").GetInt32());

        AssertStatus(root, "unknownMethod", StatusCode.Unimplemented);
        AssertStatus(root, "shortAddress", StatusCode.InvalidArgument);
        Assert.Contains("address", root.GetProperty("shortAddress").GetProperty("details").GetString());
        AssertStatus(root, "futureBlock", StatusCode.NotFound);
    }

    private static string KeyHex(PrivateKey key) => Hex.Encode(key.Bytes);

    private static void AssertStatus(JsonElement root, string call, StatusCode expected)
    {
        var code = root.GetProperty(call).GetProperty("code").GetInt32();
        Assert.True((int)expected == code, $"{call}: expected {expected}, grpc-js saw {(StatusCode)code} ({root.GetProperty(call)})");
    }
}
