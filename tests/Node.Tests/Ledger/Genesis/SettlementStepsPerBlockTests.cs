using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Tests.Ledger;

namespace P2PEnergy.Node.Tests.Ledger.Genesis;

/// <summary>
/// docs/genesis.md: <c>settlementStepsPerBlock</c> bounds the settlement work of one block. Every node must run the same
/// budget (it decides in which block each step happens, so it is in every app hash), so genesis carries it — a
/// constant compiled into the node could not be changed without forking older nodes — within [100, 1,000,000].
/// </summary>
public class SettlementStepsPerBlockTests
{
    private const string Minimal = """{"chainId": 1, "marketName": "m", "genesisTime": "2026-01-01T00:00:00Z", "intervalSeconds": 900""";

    [Theory]
    [InlineData(int.MinValue)]
    [InlineData(0)]
    [InlineData(99)]
    [InlineData(1_000_001)]
    public void Genesis_StepsOutsideTheirRange_AreRefusedNamingTheValueAndTheRange(int steps)
    {
        var genesis = new LedgerHarness().Document;
        genesis.SettlementStepsPerBlock = steps;
        Assert.Equal($"settlementStepsPerBlock must lie in [100, 1000000], got {steps}", Assert.Throws<GenesisException>(() => genesis.ToParameters()).Message);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(1_000_000)]
    public void Genesis_StepsAtTheEdgesOfTheirRange_ReachTheChainParameters_AndTheFileRoundTrips(int steps)
    {
        var genesis = new LedgerHarness(configure: g => g.SettlementStepsPerBlock = steps).Document;
        Assert.Equal(steps, genesis.ToParameters().SettlementStepsPerBlock);
        Assert.Equal(steps, GenesisDocument.Parse(genesis.ToJson()).ToParameters().SettlementStepsPerBlock);
        Assert.Equal(steps, new LedgerHarness(configure: g => g.SettlementStepsPerBlock = steps).Parameters.SettlementStepsPerBlock);
    }

    [Fact]
    public void GenesisFile_NamingTheSteps_IsParsed_AndOneWithout_KeepsTheDefault()
    {
        // Strict parsing refused the field as unknown ("not valid JSON for this schema").
        var named = Assert.Throws<GenesisException>(() => GenesisDocument.Parse(Minimal + """, "settlementStepsPerBlock": 99}"""));
        Assert.Contains("settlementStepsPerBlock must lie in [100, 1000000], got 99", named.Message);
        var document = GenesisDocument.Parse(new LedgerHarness().Document.ToJson().Replace("\"settlementStepsPerBlock\": 4000", "\"settlementStepsPerBlock\": 250"));
        Assert.Equal(250, document.SettlementStepsPerBlock);
        Assert.Equal(ChainParameters.DefaultSettlementStepsPerBlock, new GenesisDocument().SettlementStepsPerBlock);
    }
}
