using System.Buffers.Binary;
using System.Text.Json.Nodes;
using Grpc.Net.Client;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Wallet.Cli;
using P2PEnergy.Wallet.Tests.Cli;
using P2PEnergy.Wallet.Tests.Support;

namespace P2PEnergy.Wallet.Tests.Integration;

/// <summary>
/// <c>p2pe operator validators set</c> against a real <c>p2pe-node</c>: the validator authority's SetValidatorSet,
/// committed at height H, is the set of block H + 2 on (its header's validator_set_hash, H + 1's next_validator_set_hash),
/// and the node keeps deciding blocks under it; another key's is refused UNAUTHORIZED.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ValidatorSetAgainstNodeTests : IAsyncLifetime
{
    private const string Password = "pw";
    private readonly WalletHarness _home = new();
    private LiveNode _node = null!;
    private WalletProcess _p2pe = null!;

    public async Task InitializeAsync()
    {
        _node = await LiveNode.StartAsync();
        _home.Variables[WalletEnvironment.PasswordVariable] = Password;
        foreach (var (name, key) in new[] { ("utility", _node.Utility), ("operator", _node.Operator) })
            Assert.Equal(0, _home.Run("key", "import", "--private-key-file", _home.WriteFile(name + ".hex", Hex.Encode(key.Bytes)), "--name", name).Exit);
        _p2pe = new WalletProcess(_home.Home, Password);
        await _p2pe.OkAsync("config", "set", "node", _node.Url);
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _home.Dispose();
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
    public async Task Set_ByTheAuthority_IsTheSetFromHPlus2_AndTheNodeDecidesUnderIt_AnotherKeyIsUnauthorized()
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
}
