using P2PEnergy.Wallet.Failures;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Grpc.Net.Client;
using P2PEnergy.Anchor.Evm;
using P2PEnergy.Anchor.Tests.Support;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Wallet.Cli;
using P2PEnergy.Wallet.Tests.Cli;
using P2PEnergy.Wallet.Tests.Support;
using Xunit.Abstractions;

namespace P2PEnergy.Wallet.Tests.Integration;

/// <summary>
/// Issue #18 end to end, with real processes: a Hardhat node, the anchor deployed by <c>p2pe anchor deploy</c>, a
/// <c>p2pe-node</c> with anchoring on. A contract is committed; checkpoints appear on the EVM chain; <c>p2pe contract
/// prove</c> writes a proof that <c>p2pe anchor verify</c> accepts online and a tampered copy it refuses; a restart resumes
/// without posting any height twice; and when the EVM node goes away the failures are retried and reported while blocks
/// keep committing.
/// </summary>
[Trait("Category", "Integration")]
public sealed class AnchoringEndToEndTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Password = "pw";
    private readonly WalletHarness _home = new();
    private readonly PrivateKey _alice = PrivateKey.Generate(), _bob = PrivateKey.Generate(), _deployer = PrivateKey.Generate(), _poster = PrivateKey.Generate();
    private HardhatNode? _evm;
    private LiveNode? _node;
    private WalletProcess _p2pe = null!;
    private string _contract = "";

    public async Task InitializeAsync()
    {
        if (EvmFactAttribute.MissingPrerequisite() is not null) return;
        _evm = await HardhatNode.StartAsync();
        await _evm.FundAsync(_deployer.Address.ToString());
        await _evm.FundAsync(_poster.Address.ToString());
        _home.Variables[WalletEnvironment.PasswordVariable] = Password;
        _p2pe = new WalletProcess(_home.Home, Password);
        _node = await LiveNode.StartAsync(settings: AnchorSettings);
        foreach (var (name, key) in new[] { ("operator", _node.Operator), ("utility", _node.Utility), ("alice", _alice), ("bob", _bob) })
            Assert.Equal(0, _home.Run("key", "import", "--private-key-file", _home.WriteFile(name + ".hex", Hex.Encode(key.Bytes)), "--name", name).Exit);
        await _p2pe.OkAsync("config", "set", "node", _node.Url);
    }

    /// <summary>Deploys the anchor for the node's genesis (through the CLI) and names it, the poster's keystore and fast polling.</summary>
    private async Task<IReadOnlyDictionary<string, string>> AnchorSettings(LiveNode node)
    {
        Assert.Equal(0, _home.Run("key", "import", "--private-key-file", _home.WriteFile("deployer.hex", Hex.Encode(_deployer.Bytes)), "--name", "deployer").Exit);
        var deployed = JsonNode.Parse(await _p2pe.OkAsync("anchor", "deploy", "--evm-rpc", _evm!.Url, "--genesis", node.GenesisFile, "--key", "deployer", "--json"))!;
        _contract = (string)deployed["contract"]!;
        var keystore = Path.Combine(node.Root, "anchor-account.json");
        await File.WriteAllTextAsync(keystore, Keystore.Encrypt(_poster.Bytes, Password, new Pbkdf2Kdf(1024)).ToJson());
        var password = Path.Combine(node.Root, "anchor-password.txt");
        await File.WriteAllTextAsync(password, Password + "\n");
        return new Dictionary<string, string>
        {
            ["Anchor__EvmRpcUrl"] = _evm.Url, ["Anchor__Contract"] = _contract, ["Anchor__KeystoreFile"] = keystore, ["Anchor__PasswordFile"] = password,
            ["Anchor__EveryBlocks"] = "3", ["Anchor__AfterSettlement"] = "false", ["Anchor__PollIntervalMs"] = "100",
            ["Anchor__RetryInitialMs"] = "200", ["Anchor__RetryMaxMs"] = "1000", ["Anchor__RequestTimeoutMs"] = "2000", ["Anchor__ReceiptTimeoutMs"] = "10000",
        };
    }

    public async Task DisposeAsync()
    {
        if (_node is not null) await _node.DisposeAsync();
        if (_evm is not null) await _evm.DisposeAsync();
        _home.Dispose();
    }

    [EvmFact]
    public async Task ContractProvedAgainstTheAnchor_RestartResumes_EvmOutageNeverBlocksConsensus()
    {
        var node = _node!;
        using var anchor = await AnchorClient.ConnectAsync(_evm!.Url, _contract, null, TimeSpan.FromSeconds(10));
        var ledger = new Ledger.LedgerClient(GrpcChannel.ForAddress(node.Url));

        // A committed contract.
        await _p2pe.OkAsync("operator", "admit", "alice", "--role", "Prosumer", "--name", "Alice", "--key", "operator", "--wait");
        await _p2pe.OkAsync("operator", "admit", "bob", "--role", "Consumer", "--name", "Bob", "--key", "operator", "--wait");
        await _p2pe.OkAsync("operator", "register-meter", "MTR-A", "--owner", "alice", "--grid-node", "SP-1", "--device", "alice", "--import-limit-w", "20000", "--export-limit-w", "20000", "--key", "utility", "--wait");
        await _p2pe.OkAsync("operator", "register-meter", "MTR-B", "--owner", "bob", "--grid-node", "SP-2", "--device", "bob", "--import-limit-w", "20000", "--export-limit-w", "20000", "--key", "utility", "--wait");
        await _p2pe.OkAsync("operator", "deposit", "bob", "--amount", "5000000", "--reference", "wire-1", "--key", "operator", "--wait");
        var file = Path.Combine(_home.Home, "contract.json");
        await _p2pe.OkAsync("contract", "propose", "--seller", "alice", "--buyer", "bob", "--seller-meter", "MTR-A", "--buyer-meter", "MTR-B",
            "--start", LiveNode.Iso(LiveNode.IntervalAhead(3)), "--intervals", "2", "--kwh", "0.1", "--price-per-kwh", "100000", "--out", file);
        await _p2pe.OkAsync("contract", "sign", file, "--key", "alice", "--yes");
        await _p2pe.OkAsync("contract", "sign", file, "--key", "bob", "--yes");
        var submitted = JsonNode.Parse(await _p2pe.OkAsync("contract", "submit", file, "--wait", "--json"))!;
        ulong height = (ulong)submitted["height"]!;
        var id = (string)JsonNode.Parse(File.ReadAllText(file))!["id"]!;
        output.WriteLine($"contract {id} committed in block {height}");

        // Checkpoints appear, and the node reports them.
        ulong anchored = await WaitAsync(async () => await anchor.LastHeightAsync() is var h && h >= height ? h : (ulong?)null, TimeSpan.FromSeconds(60), "a checkpoint at or after the contract");
        Assert.Equal(0UL, anchored % 3);
        // The node learns of its checkpoint once the poster's receipt is back, a moment after the chain holds it.
        AnchorStatus status = null!;
        await WaitAsync(async () =>
        {
            status = (await ledger.GetNodeStatusAsync(new GetNodeStatusRequest())).Anchor;
            return status.Posted >= 1 && status.LastAnchoredHeight >= anchored ? true : (bool?)null;
        }, TimeSpan.FromSeconds(20), $"node status reporting the checkpoint at {anchored}");
        Assert.Equal(_contract, status.Contract, ignoreCase: true);

        // The proof verifies offline and against the anchor; a tampered copy does not.
        var proofFile = Path.Combine(_home.Home, "proof.json");
        await _p2pe.OkAsync("contract", "prove", id, "--out", proofFile);
        var verified = await _p2pe.OkAsync("anchor", "verify", proofFile, "--evm-rpc", _evm.Url);
        output.WriteLine(verified);
        Assert.Contains("yes: anchored", verified);
        var proof = JsonNode.Parse(File.ReadAllText(proofFile))!;
        var path = proof["transactions"]![0]!["auditPath"]!.AsArray();
        if (path.Count == 0) proof["transactions"]![0]!["leafCount"] = "2"; else path[0] = Hash32.Zero.ToString();
        var tampered = Path.Combine(_home.Home, "tampered.json");
        File.WriteAllText(tampered, proof.ToJsonString());
        var (exit, _, error) = await _p2pe.RunAsync("anchor", "verify", tampered, "--evm-rpc", _evm.Url);
        Assert.True(exit == (int)ExitCode.ProofInvalid && error.Contains("NOT_IN_BLOCK"), $"exit {exit}: {error}");

        // A restart resumes from the contract's height: no height is posted twice, so every transaction of the poster anchored one.
        await node.RestartAsync();
        ulong before = await anchor.LastHeightAsync();
        await WaitAsync(async () => await anchor.LastHeightAsync() is var h && h > before ? h : (ulong?)null, TimeSpan.FromSeconds(60), "a checkpoint after the restart");
        // The node keeps posting and Hardhat mines each post at once: the events are read between two reads of the poster's
        // nonce until both agree, which rules out a post landing between the events and the nonce.
        async Task<int> PostedAsync() => Convert.ToInt32((await _evm!.RpcAsync("eth_getTransactionCount", _poster.Address.ToString(), "latest")).GetString()!, 16);
        var (events, nonce) = await WaitAsync(async () =>
        {
            int first = await PostedAsync();
            var read = await anchor.CheckpointEventsAsync();
            return first == await PostedAsync() ? (read, first) : ((IReadOnlyList<CheckpointAnchoredEvent>, int)?)null;
        }, TimeSpan.FromSeconds(30), "a read of the checkpoint events without a post in between");
        Assert.Equal(events.Select(e => e.Height).Distinct().Count(), events.Count);
        Assert.Equal(events.Count, nonce);

        // The EVM node goes away: failures are retried and reported, and blocks keep committing.
        var evmUrl = _evm.Url;
        await _evm.DisposeAsync();
        _evm = null;
        ledger = new Ledger.LedgerClient(GrpcChannel.ForAddress(node.Url));
        ulong heightAtOutage = (await ledger.GetNodeStatusAsync(new GetNodeStatusRequest())).Height;
        NodeStatus outage = null!;
        await WaitAsync(async () =>
        {
            outage = await ledger.GetNodeStatusAsync(new GetNodeStatusRequest());
            return outage.Anchor.Failures >= 2 && outage.Anchor.LastError.Length > 0 && outage.Height >= heightAtOutage + 3 ? outage.Height : (ulong?)null;
        }, TimeSpan.FromSeconds(60), "failures reported while blocks commit");
        output.WriteLine($"during the outage: height {heightAtOutage} → {outage.Height}, {outage.Anchor.Failures} failures, last error: {outage.Anchor.LastError}");
        Assert.True(outage.Anchor.Lag >= 3);
        // The auditor's online check says so too, with its own exit code; offline the proof still holds.
        var (unreachable, _, why) = await _p2pe.RunAsync("anchor", "verify", proofFile, "--evm-rpc", evmUrl);
        Assert.True(unreachable == (int)ExitCode.EvmUnreachable && why.Contains("EVM_UNREACHABLE"), $"exit {unreachable}: {why}");
        Assert.Contains("yes: contract", await _p2pe.OkAsync("anchor", "verify", proofFile));
    }

    /// <summary>Polls <paramref name="probe"/> every 200 ms until it gives a value, at most <paramref name="limit"/>.</summary>
    private static async Task<T> WaitAsync<T>(Func<Task<T?>> probe, TimeSpan limit, string what) where T : struct
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            if (await probe() is { } value) return value;
            await Task.Delay(200);
        }
        throw new TimeoutException($"no {what} within {limit.TotalSeconds:0} s");
    }
}
