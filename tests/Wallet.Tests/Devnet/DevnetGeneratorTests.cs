using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Wallet.Devnet;

namespace P2PEnergy.Wallet.Tests.Devnet;

/// <summary>
/// Issue 15: <c>p2pe devnet init --validators N</c> writes a genesis with N equal-power validators (utility, DMO,
/// regulator, an independent operator, then more operators), each validator's importable key file, and a node per
/// validator plus the observer in devnet.json; N outside 1…7 is refused naming the value.
/// </summary>
public sealed class DevnetGeneratorTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "p2pe-devnet-gen-" + Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(7)]
    public void Validators_AreInGenesisWithEqualPower_EachWithItsKeyFile_AndANodeEach_PlusTheObserver(int validators)
    {
        var manifest = DevnetGenerator.Generate(new DevnetOptions { Directory = _dir, Participants = 2, Validators = validators }, TimeProvider.System);

        var genesis = GenesisDocument.Parse(File.ReadAllText(Path.Combine(_dir, "genesis.json")));
        Assert.Equal(validators, genesis.Validators.Count);
        Assert.All(genesis.Validators, v => Assert.Equal(1, v.Power));
        Assert.Equal(DevnetNode.Operators.Take(validators).Select(o => o.Role), genesis.Validators.Select(v => v.Role));
        Assert.Equal(validators, genesis.Validators.Select(v => v.Address.ToLowerInvariant()).Distinct().Count());

        var nodes = manifest.Nodes;
        Assert.Equal(validators + 1, nodes.Count);
        Assert.Equal(new[] { "utility", "dmo", "regulator", "independent", "operator5", "operator6", "operator7" }[..validators], nodes.Take(validators).Select(n => n.Name));
        Assert.Equal(DevnetNode.ObserverRole, nodes[^1].Role);
        Assert.Null(nodes[^1].ValidatorAddress);
        for (int i = 0; i < validators; i++)
        {
            // The key file p2pe-node init imports holds the key of the address genesis lists for that node.
            var key = PrivateKey.Parse(File.ReadAllText(Path.Combine(_dir, $"validator-{nodes[i].Name}.key")).Trim());
            Assert.Equal(Address.Parse(genesis.Validators[i].Address), key.Address);
            Assert.Equal(key.Address.ToString(), nodes[i].ValidatorAddress);
            Assert.Equal(Path.Combine(_dir, "nodes", nodes[i].Name), nodes[i].DataDir);
        }
        Assert.Equal(nodes[0].DataDir, manifest.NodeDataDir);
        Assert.Equal(nodes.Select(n => n.Name), DevnetManifest.Read(_dir).Nodes.Select(n => n.Name));
    }

    [Fact]
    public void NoObserver_WritesOnlyTheValidatorsNodes()
    {
        var manifest = DevnetGenerator.Generate(new DevnetOptions { Directory = _dir, Participants = 2, Validators = 2, Observer = false }, TimeProvider.System);
        Assert.Equal([DevnetNode.ValidatorRole, DevnetNode.ValidatorRole], manifest.Nodes.Select(n => n.Role));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(8)]
    public void ValidatorsOutOfRange_AreRefused_NamingTheValue(int validators)
    {
        var e = Assert.Throws<ArgumentException>(() => DevnetGenerator.Generate(new DevnetOptions { Directory = _dir, Participants = 2, Validators = validators }, TimeProvider.System));
        Assert.Contains($"--validators must lie in [1, 7], got {validators}", e.Message);
        Assert.False(Directory.Exists(_dir));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }
}
