using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;
using P2PEnergy.Node.Api;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Tests.Support;
using P2PEnergy.Wallet.Cli;
using P2PEnergy.Wallet.Device;
using P2PEnergy.Wallet.Tests.Cli;
using Xunit.Abstractions;

namespace P2PEnergy.Wallet.Tests.Device;

/// <summary>
/// Two <c>p2pe device run</c> agents (in-process, through the command handler) against a real p2pe-node process with
/// 10 s intervals: a committed contract between their meters reaches both as dispatch, both submit signed readings
/// the node commits with OK, and the seller's deliberate −20% shows as its imbalance in the settlement statement.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DeviceAgentNodeTests(ITestOutputHelper output)
{
    // Short enough that a contract's interval, its reading and its settlement fit in the test's 90 s bound.
    private const ulong IntervalSeconds = 10, GateClosureSeconds = 3, ReadingWindowSeconds = 10;
    private const ulong ChainId = 4343;
    // 20 Wh in 10 s is 7.2 kW: inside the meters' 20 kW limits and the agents' drivers below.
    private const ulong ContractWh = 20;
    private static PrivateKey Key(int seed) => new(Keccak256.Hash(System.Text.Encoding.ASCII.GetBytes($"p2pe-device-test-{seed}")).Bytes);
    private readonly PrivateKey _operator = Key(1), _utility = Key(2), _validator = Key(3), _alice = Key(10), _bob = Key(11), _aliceDevice = Key(20), _bobDevice = Key(21);

    [Fact]
    public async Task TwoAgents_ReceiveTheContractsDispatch_SubmitAcceptedReadings_AndTheDeviationSettlesAsImbalance()
    {
        var elapsed = Stopwatch.StartNew();
        await using var workspace = await NodeWorkspace.InitAsync(Genesis().ToJson(), _validator);
        var node = await workspace.StartNodeAsync();
        output.WriteLine($"node up at {elapsed.ElapsedMilliseconds} ms");
        using var alice = new WalletHarness();
        using var bob = new WalletHarness();
        try
        {
            ImportDeviceKey(alice, _aliceDevice, "alice-device");
            ImportDeviceKey(bob, _bobDevice, "bob-device");

            // The first interval whose gate (start − 3 s) is still 8 s or more away, so the contract commits before it even
            // on a loaded machine.
            ulong now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            ulong interval = (now + GateClosureSeconds + 8 + IntervalSeconds - 1) / IntervalSeconds * IntervalSeconds;
            var contract = new EnergyContract
            {
                Seller = Bytes(_alice), Buyer = Bytes(_bob), SellerMeter = "MTR-A", BuyerMeter = "MTR-B",
                IntervalStart = interval, IntervalCount = 1, WhPerInterval = ContractWh, PricePerKwh = 100_000,
                Nonce = 1, ValidUntil = now + 600,
            };
            var committed = await node.Channel.CommitAsync(Envelope(contract, _alice, _bob));
            Assert.Equal("OK", committed.Result.Code);
            output.WriteLine($"contract for {interval} committed at {elapsed.ElapsedMilliseconds} ms");

            // Both agents resume right before the contract's interval, as if they had run through the one before.
            new DeviceCursor(alice.Home, "MTR-A").Save(interval - IntervalSeconds);
            new DeviceCursor(bob.Home, "MTR-B").Save(interval - IntervalSeconds);
            string[] common = ["--node", node.Address.ToString(), "--interval-seconds", $"{IntervalSeconds}", "--intervals", "1", "--json"];
            // Each agent blocks its thread for the whole run (the CLI waits synchronously): on threads of their own, so the
            // thread pool, two threads on this 2-core box, stays free for the gRPC work they and the test wait on.
            var seller = Task.Factory.StartNew(() => alice.Run([.. Agent("MTR-A", "battery", "--deviation", "-20", "--max-discharge-w", "20000", "--soc", "100"), .. common]),
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            var buyer = Task.Factory.StartNew(() => bob.Run([.. Agent("MTR-B", "load", "--base-w", "7200", "--flex-w", "1000"), .. common]),
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            var results = await Task.WhenAll(seller, buyer).WaitAsync(TimeSpan.FromSeconds(50));
            output.WriteLine($"agents done at {elapsed.ElapsedMilliseconds} ms:\n{results[0].Out}\n{results[0].Error}\n{results[1].Out}\n{results[1].Error}");

            var sold = Report(results[0]);
            var bought = Report(results[1]);
            Assert.Equal((interval, (long)ContractWh, 16L, "OK"), ((ulong)sold["interval"]!, (long)sold["targetNetExportWh"]!, (long)sold["netExportWh"]!, (string)sold["code"]!));
            Assert.Equal((interval, -(long)ContractWh, -20L, "OK"), ((ulong)bought["interval"]!, (long)bought["targetNetExportWh"]!, (long)bought["netExportWh"]!, (string)bought["code"]!));
            Assert.Equal(interval, new DeviceCursor(alice.Home, "MTR-A").LastInterval());
            // After the interval, each agent has published its capabilities from the next interval on (issue 17): the
            // battery, full and 20 % down on 20 Wh, now holds 100 % − 16 Wh; the load's band is 6.2–8.2 kW.
            var battery = DeviceCapabilities.Read(DeviceCapabilities.PathFor(alice.Home, "MTR-A"))!;
            var load = DeviceCapabilities.Read(DeviceCapabilities.PathFor(bob.Home, "MTR-B"))!;
            Assert.Equal((interval + IntervalSeconds, interval + IntervalSeconds), (battery.Intervals[0].StartUnix, load.Intervals[0].StartUnix));
            Assert.Equal(("battery", "load"), (battery.Device, load.Device));
            Assert.Equal(new IntervalCapability(interval + IntervalSeconds, 17, 22, 0), load.For(interval + IntervalSeconds));
            Assert.True(battery.For(interval + IntervalSeconds)!.Value.MaxExportWh > 0);

            // Settlement runs in the first block at or after interval end + reading window; blocks come every second. The
            // wait is reckoned from that moment, not from the test's start: a slow node start on a loaded box (60 s seen)
            // used to leave it one second.
            var due = DateTimeOffset.FromUnixTimeSeconds((long)(interval + IntervalSeconds + ReadingWindowSeconds));
            var line = await SettledLineAsync(node, _alice, interval, due + TimeSpan.FromSeconds(30) - DateTimeOffset.UtcNow);
            output.WriteLine($"settled at {elapsed.ElapsedMilliseconds} ms");
            // −20% of 20 Wh: 4 Wh short; the contract still pays 20 Wh at 0.1 per kWh.
            Assert.Equal(-4, line.ImbalanceWh);
            Assert.Equal(2_000UL, line.ContractReceived);
        }
        catch
        {
            output.WriteLine(node.LogTail(80));
            throw;
        }
    }

    private static string[] Agent(string meter, string driver, params string[] options)
        => ["device", "run", "--meter", meter, "--key", meter == "MTR-A" ? "alice-device" : "bob-device", "--driver", driver, .. options];

    private static void ImportDeviceKey(WalletHarness wallet, PrivateKey key, string name)
    {
        var file = wallet.WriteFile("device.key", Convert.ToHexStringLower(key.Bytes));
        wallet.Variables[WalletEnvironment.PasswordVariable] = "device-password";
        var (exit, _, error) = wallet.Run("key", "import", "--private-key-file", file, "--name", name);
        Assert.True(exit == 0, error);
    }

    private static JsonNode Report((int Exit, string Out, string Error) run)
    {
        Assert.True(run.Exit == 0, $"device run exited {run.Exit}: {run.Error}");
        return JsonNode.Parse(run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last())!;
    }

    private static async Task<StatementLine> SettledLineAsync(NodeProcess node, PrivateKey account, ulong interval, TimeSpan within)
    {
        var until = DateTime.UtcNow + within;
        while (true)
        {
            var statement = await node.Channel.Settlement().GetStatementAsync(new GetStatementRequest { Account = Bytes(account), From = interval, To = interval + 1 }, deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync;
            if (statement.Lines.FirstOrDefault(l => l.Kind == "Interval") is { } line) return line;
            if (DateTime.UtcNow > until) throw new TimeoutException($"interval {interval} did not settle within {within}");
            await Task.Delay(500);
        }
    }

    private GenesisDocument Genesis() => new()
    {
        ChainId = ChainId, MarketName = "Device agent test",
        // Block time is max(wall clock, last + 1 ms): a genesis just behind the wall clock keeps blocks on real time.
        GenesisTime = DateTimeOffset.UtcNow.AddSeconds(-5).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        IntervalSeconds = IntervalSeconds, GateClosureSeconds = GateClosureSeconds, ReadingWindowSeconds = ReadingWindowSeconds,
        Utility = _utility.Address.ToString(), MarketOperator = _operator.Address.ToString(),
        Planner = Key(4).Address.ToString(), Regulator = Key(5).Address.ToString(),
        Validators = [new GenesisValidator { Address = _validator.Address.ToString(), Endpoint = "http://127.0.0.1:1" }],
        Fees = new GenesisFees { PolrPrices = [new GenesisPolrPrice { FromMinute = 0, SellPerKwh = 300_000, BuyPerKwh = 50_000 }] },
        Participants =
        [
            new() { Address = _alice.Address.ToString(), Role = "Prosumer", Name = "Alice", Deposit = 10_000_000 },
            new() { Address = _bob.Address.ToString(), Role = "Consumer", Name = "Bob", Deposit = 10_000_000 },
        ],
        Meters =
        [
            new() { Meter = "MTR-A", Owner = _alice.Address.ToString(), GridNode = "SP1", Device = _aliceDevice.Address.ToString(), ImportLimitW = 20_000, ExportLimitW = 20_000 },
            new() { Meter = "MTR-B", Owner = _bob.Address.ToString(), GridNode = "SP1", Device = _bobDevice.Address.ToString(), ImportLimitW = 20_000, ExportLimitW = 20_000 },
        ],
    };

    private static Transaction Envelope(EnergyContract body, params PrivateKey[] signers)
    {
        var tx = new Transaction { ChainId = ChainId, EnergyContract = body };
        var digest = LedgerTypedData.Digest(body, ChainId);
        foreach (var signer in signers) tx.Signatures.Add(ByteString.CopyFrom(signer.Sign(digest).Bytes));
        return tx;
    }

    private static ByteString Bytes(PrivateKey key) => ByteString.CopyFrom(key.Address.Bytes);
}
