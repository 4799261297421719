using P2PEnergy.Node.Tests.Support;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Grpc.Net.Client;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Wallet.Cli;
using P2PEnergy.Wallet.Tests.Cli;
using P2PEnergy.Wallet.Tests.Support;
using P2PEnergy.Wallet.Failures;

namespace P2PEnergy.Wallet.Tests.Integration;

/// <summary>
/// The real <c>p2pe</c> binary against a real <c>p2pe-node</c> process: the operator admits two participants, the
/// utility registers their meters, they propose, sign and submit a contract, and the buyer's escrow shows it; the
/// validator authority (the utility) replaces the validator set, in force from H + 2.
/// </summary>
[Trait("Category", "Integration")]
public sealed class WalletAgainstNodeTests : IAsyncLifetime
{
    private const string Password = "pw";
    private readonly WalletHarness _home = new();
    private readonly PrivateKey _alice = PrivateKey.Generate();
    private readonly PrivateKey _bob = PrivateKey.Generate();
    private LiveNode _node = null!;
    private WalletProcess _p2pe = null!;

    public async Task InitializeAsync()
    {
        _node = await LiveNode.StartAsync();
        _home.Variables[WalletEnvironment.PasswordVariable] = Password;
        // Keys go in through the in-process wallet with a cheap scrypt; the binary decrypts them like any keystore.
        foreach (var (name, key) in new[] { ("operator", _node.Operator), ("utility", _node.Utility), ("alice", _alice), ("bob", _bob) })
            Assert.Equal(0, _home.Run("key", "import", "--private-key-file", _home.WriteFile(name + ".hex", Hex.Encode(key.Bytes)), "--name", name).Exit);
        _p2pe = new WalletProcess(_home.Home, Password);
        await _p2pe.OkAsync("config", "set", "node", _node.Url);
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _home.Dispose();
    }

    private async Task AdmitAndRegisterAsync()
    {
        await _p2pe.OkAsync("operator", "admit", "alice", "--role", "Prosumer", "--name", "Alice", "--key", "operator", "--wait");
        await _p2pe.OkAsync("operator", "admit", "bob", "--role", "Consumer", "--name", "Bob", "--key", "operator", "--wait");
        await _p2pe.OkAsync("operator", "register-meter", "MTR-A", "--owner", "alice", "--grid-node", "SP-1", "--device", "alice", "--import-limit-w", "10000000", "--export-limit-w", "10000000", "--key", "utility", "--wait");
        await _p2pe.OkAsync("operator", "register-meter", "MTR-B", "--owner", "bob", "--grid-node", "SP-2", "--device", "bob", "--import-limit-w", "10000000", "--export-limit-w", "10000000", "--key", "utility", "--wait");
        await _p2pe.OkAsync("operator", "deposit", "bob", "--amount", "5", "--reference", "wire-1", "--key", "operator", "--wait");
    }

    private async Task<string> ProposeAsync(string name, int intervalsAhead)
    {
        var path = Path.Combine(_home.Home, name);
        await _p2pe.OkAsync("contract", "propose", "--seller", "alice", "--buyer", "bob", "--seller-meter", "MTR-A", "--buyer-meter", "MTR-B",
            "--start", LiveNode.Iso(LiveNode.IntervalAhead(intervalsAhead)), "--intervals", "2", "--kwh", "1", "--price-per-kwh", "0.10", "--out", path);
        return path;
    }

    [Fact]
    public async Task Status_ShowsReadinessChainAndValidators_AndAValidatorSetChange_TwoBlocksAfterItCommits()
    {
        // Ready means a block committed since the node started, which the node's start does not wait for: polled, bounded.
        var status = JsonNode.Parse(await _p2pe.OkAsync("status", "--json"))!;
        for (var until = DateTime.UtcNow.AddSeconds(30); !(bool)status["ready"]! && DateTime.UtcNow < until; status = JsonNode.Parse(await _p2pe.OkAsync("status", "--json"))!)
            await Task.Delay(200);
        Assert.True((bool)status["ready"]!, status.ToJsonString());
        Assert.Equal((LiveNode.ChainId, 0UL), ((ulong)status["chainId"]!, (ulong)status["lastSettledInterval"]!));
        Assert.True((ulong)status["height"]! > 0);
        var validator = status["validators"]!.AsArray().Single()!;
        Assert.Equal((_node.Validator.Address.ToString(), 1UL, true), ((string)validator["address"]!, (ulong)validator["power"]!, (bool)validator["signedLastBlock"]!));
        var human = await _p2pe.OkAsync("status", "--node", _node.Url);
        Assert.Contains($"{_node.Url}/  ready: block", human);
        Assert.Contains(_node.Validator.Address.ToString(), human);

        // The validator authority (the utility) rotates power — a key rotation is the same transaction with another address.
        await _p2pe.OkAsync("operator", "validators", "set", "--validator", $"{_node.Validator.Address}:5:Utility:Utility", "--key", "utility", "--wait");
        ulong power = 0;
        for (int attempt = 0; attempt < 50 && power != 5; attempt++)
        {
            await Task.Delay(100);
            power = (ulong)JsonNode.Parse(await _p2pe.OkAsync("status", "--json"))!["validators"]!.AsArray().Single()!["power"]!;
        }
        Assert.Equal(5UL, power);

        var (exit, _, error) = await _p2pe.RunAsync("operator", "validators", "set", "--validator", $"{_node.Validator.Address}:0:Utility:Utility", "--key", "utility");
        Assert.Equal((int)ExitCode.BadInput, exit);
        Assert.Contains("INVALID_ARGUMENT", error);
    }

    [Fact]
    public async Task OperatorAdmits_PartiesProposeSignSubmit_EscrowShowsOnBalanceAndStatement()
    {
        var clock = Stopwatch.StartNew();
        await AdmitAndRegisterAsync();
        var before = JsonNode.Parse(await _p2pe.OkAsync("account", "balance", "--key", "bob", "--json"))!;
        Assert.Equal(5_000_000UL, (ulong)before["balanceMicros"]!);
        Assert.Equal(0UL, (ulong)before["escrowMicros"]!);

        var file = await ProposeAsync("contract.json", 3);
        await _p2pe.OkAsync("contract", "sign", file, "--key", "alice", "--yes");
        // Without --yes and without a terminal the wallet refuses rather than sign unseen.
        var (refused, _, refusal) = await _p2pe.RunAsync("contract", "sign", file, "--key", "bob");
        Assert.Equal(12, refused);
        Assert.Contains("p2pe: NOT_CONFIRMED: ", refusal);
        await _p2pe.OkAsync("contract", "sign", file, "--key", "bob", "--yes");
        var submitted = JsonNode.Parse(await _p2pe.OkAsync("contract", "submit", file, "--wait", "--json"))!;
        Assert.Equal("OK", (string)submitted["code"]!);
        var id = (string)submitted["id"]!;
        Assert.Equal((string)JsonNode.Parse(File.ReadAllText(file))!["id"]!, id);

        // 2 intervals × ⌊1000 Wh × 100000 / 1000⌋ = 200000 paid into escrow, plus the buyer's locked fees.
        var after = JsonNode.Parse(await _p2pe.OkAsync("account", "balance", "--key", "bob", "--json"))!;
        Assert.True((ulong)after["escrowMicros"]! >= 200_000, after.ToJsonString());
        Assert.Equal(5_000_000UL, (ulong)after["balanceMicros"]! + (ulong)after["escrowMicros"]!);
        var statement = JsonNode.Parse(await _p2pe.OkAsync("account", "statement", "--key", "bob", "--from", "2020-01-01T00:00:00Z", "--json"))!;
        Assert.Equal((ulong)after["escrowMicros"]!, (ulong)statement["account"]!["escrowMicros"]!);
        Assert.Contains("escrow", await _p2pe.OkAsync("account", "balance", "--key", "bob"));

        // "Where can I still sell?": with no grid model the meter's own limit is what bounds it.
        var capacity = JsonNode.Parse(await _p2pe.OkAsync("grid", "capacity", "--meter", "MTR-A", "--interval", LiveNode.Iso(LiveNode.IntervalAhead(4)), "--json"))!;
        Assert.True((long)capacity["exportW"]! > 0, capacity.ToJsonString());
        Assert.Contains("METER_LIMIT", (string)capacity["exportLimitedBy"]!);

        var listed = JsonNode.Parse(await _p2pe.OkAsync("contract", "list", "--party", "alice", "--json"))!["contracts"]!.AsArray();
        Assert.Contains(listed, c => (string)c!["id"]! == id);
        Assert.Contains(id, await _p2pe.OkAsync("contract", "show", id));

        // The order book: Alice offers, Bob takes half, Alice cancels the rest; ids are the offers' digests.
        var posted = JsonNode.Parse(await _p2pe.OkAsync("offer", "post", "--sell", "--meter", "MTR-A", "--start", LiveNode.Iso(LiveNode.IntervalAhead(4)),
            "--intervals", "1", "--kwh", "2", "--price-per-kwh", "0.09", "--key", "alice", "--wait", "--json"))!;
        var offerId = (string)posted["id"]!;
        var book = JsonNode.Parse(await _p2pe.OkAsync("offer", "list", "--json"))!["offers"]!.AsArray();
        Assert.Contains(book, o => (string)o!["id"]! == offerId && (ulong)o["remainingWhPerInterval"]! == 2000);
        await _p2pe.OkAsync("offer", "take", offerId, "--kwh", "1", "--meter", "MTR-B", "--key", "bob", "--wait");
        await _p2pe.OkAsync("offer", "cancel", offerId, "--key", "alice", "--wait");
        Assert.DoesNotContain(JsonNode.Parse(await _p2pe.OkAsync("offer", "list", "--json"))!["offers"]!.AsArray(), o => (string)o!["id"]! == offerId);

        // The same file again: the node's result code, shown as one line.
        var (again, _, duplicate) = await _p2pe.RunAsync("contract", "submit", file, "--wait");
        Assert.Equal(11, again);
        Assert.Matches(@"^p2pe: [A-Z_]+: ", duplicate.Split('\n')[^1]);
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(5), $"took {clock.Elapsed}");
    }

    [EthersFact]
    [Trait("Category", "Integration")]
    public async Task ContractSignedByEthers_ThroughExportTypedData_IsAcceptedByTheNode()
    {
        await AdmitAndRegisterAsync();
        var file = await ProposeAsync("ethers.json", 3);
        var typedData = await _p2pe.OkAsync("contract", "export", file, "--typed-data");
        var documents = _home.WriteFile("documents.json", new JsonObject { ["contract"] = JsonNode.Parse(typedData) }.ToJsonString());
        foreach (var key in new[] { _alice, _bob })
        {
            var signed = await RunEthersAsync("sign", documents, Hex.Encode(key.Bytes));
            await _p2pe.OkAsync("contract", "attach-signature", file, (string)signed["contract"]!["signature"]!);
        }
        var submitted = JsonNode.Parse(await _p2pe.OkAsync("contract", "submit", file, "--wait", "--json"))!;
        Assert.Equal("OK", (string)submitted["code"]!);
    }

    // The header's set hash as docs/consensus.md defines it: keccak256 over address (20) ‖ power (int64 big-endian), by address.
    private static byte[] SetHash(Address validator, long power)
    {
        var bytes = new byte[28];
        validator.Bytes.CopyTo(bytes.AsSpan());
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(20), power);
        return Keccak256.Hash(bytes).Bytes.ToArray();
    }

    private async Task<Block> BlockAsync(Ledger.LedgerClient client, ulong height)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var status = await client.GetNodeStatusAsync(new GetNodeStatusRequest(), cancellationToken: timeout.Token);
            if (status.Height >= height) return await client.GetBlockAsync(new GetBlockRequest { Height = height }, cancellationToken: timeout.Token);
            await Task.Delay(200, timeout.Token);
        }
    }

    [Fact]
    public async Task ValidatorsSet_ByTheAuthority_IsTheSetFromHPlus2_AndTheNodeDecidesUnderIt_AnotherKeyIsUnauthorized()
    {
        var validator = _node.Validator.Address;
        var committed = JsonNode.Parse(await _p2pe.OkAsync("operator", "validators", "set", "--validator", $"{validator}:3:Grid Co:Utility",
            "--key", "utility", "--wait", "--json"))!;
        Assert.Equal("OK", (string)committed["code"]!);
        var h = (ulong)committed["height"]!;

        using var channel = GrpcChannel.ForAddress(_node.Url);
        var client = new Ledger.LedgerClient(channel);
        var (before, next, after) = (await BlockAsync(client, h), await BlockAsync(client, h + 1), await BlockAsync(client, h + 3));
        Assert.Equal(SetHash(validator, 1), before.Header.ValidatorSetHash.ToByteArray()); // genesis: power 1
        Assert.Equal(SetHash(validator, 1), next.Header.ValidatorSetHash.ToByteArray());
        Assert.Equal(SetHash(validator, 3), next.Header.NextValidatorSetHash.ToByteArray());
        Assert.Equal(SetHash(validator, 3), (await BlockAsync(client, h + 2)).Header.ValidatorSetHash.ToByteArray());
        Assert.Equal(SetHash(validator, 3), after.Header.ValidatorSetHash.ToByteArray());
        Assert.Contains(after.Commit.Signatures, s => s.Validator.Span.SequenceEqual(validator.Bytes));

        var (exit, _, error) = await _p2pe.RunAsync("operator", "validators", "set", "--validator", $"{validator}:5:Grid Co:Utility", "--key", "operator", "--wait");
        Assert.Equal(11, exit);
        Assert.StartsWith("p2pe: UNAUTHORIZED: ", error);
        Assert.Contains("validator authority", error);
    }

    private static async Task<JsonNode> RunEthersAsync(params string[] arguments)
    {
        var interop = EthersFactAttribute.InteropDirectory!;
        var start = new ProcessStartInfo(EthersFactAttribute.NodeJs!) { WorkingDirectory = interop, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(interop, "eip712-ethers.js"));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try { await process.WaitForExitAsync(limit.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException("eip712-ethers.js did not finish within 60 s");
        }
        Assert.True(process.ExitCode == 0, $"eip712-ethers.js exited {process.ExitCode}: {await stderr}");
        return JsonNode.Parse(await stdout)!;
    }

    [Fact]
    public async Task Misbehaviour_ListsCommittedEquivocationEvidence_AsJsonAndAsATable()
    {
        Assert.Equal("[]", (await _p2pe.OkAsync("misbehaviour", "--json")).Trim());
        // The node's one validator reports (its own) two conflicting prevotes: the Evidence commits like any transaction.
        EvidenceVote Vote(byte fill)
        {
            var vote = new CommitVote { Height = 1, Round = 2, VoteType = VoteType.Prevote, BlockHash = Google.Protobuf.ByteString.CopyFrom(Enumerable.Repeat(fill, 32).ToArray()) };
            return new EvidenceVote { Vote = vote, Signature = Google.Protobuf.ByteString.CopyFrom(_node.Validator.Sign(P2PEnergy.Contracts.TypedData.LedgerTypedData.Digest(vote, LiveNode.ChainId)).Bytes) };
        }
        var evidence = new Evidence { First = Vote(1), Second = Vote(2) };
        var envelope = new Transaction { Evidence = evidence, ChainId = LiveNode.ChainId };
        envelope.Signatures.Add(Google.Protobuf.ByteString.CopyFrom(_node.Validator.Sign(P2PEnergy.Contracts.TypedData.LedgerTypedData.Digest(evidence, LiveNode.ChainId)).Bytes));
        using var channel = GrpcChannel.ForAddress(_node.Url);
        var committed = await channel.CommitAsync(envelope);
        Assert.Equal("OK", committed.Result.Code);

        var records = JsonNode.Parse(await _p2pe.OkAsync("misbehaviour", "--json", "--validator", _node.Validator.Address.ToString()))!.AsArray();
        var record = Assert.Single(records)!;
        Assert.Equal((_node.Validator.Address.ToString(), 1UL, 2U, "prevote", "equivocation", committed.Height),
            ((string)record["validator"]!, (ulong)record["height"]!, (uint)record["round"]!, (string)record["voteType"]!, (string)record["kind"]!, (ulong)record["committedAt"]!));
        Assert.Equal("[]", (await _p2pe.OkAsync("misbehaviour", "--json", "--validator", _alice.Address.ToString())).Trim());
        var table = await _p2pe.OkAsync("misbehaviour");
        Assert.Contains(_node.Validator.Address.ToString(), table);
        Assert.Contains("equivocation", table);
    }
}
