using Google.Protobuf;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Node.Tests.Ledger;

/// <summary>DESIGN.md DsoModel: who may be a party to a trade under Model 5 and Model 6.</summary>
public class DsoModelRuleTests
{
    private static EnergyContract WithSeller(LedgerHarness h, Contracts.Crypto.PrivateKey seller)
    {
        var terms = h.Contract(h.Alice, h.Bob);
        terms.Seller = ByteString.CopyFrom(seller.Address.Bytes);
        return terms;
    }

    [Theory]
    [InlineData("UtilityDmo")] [InlineData("IndependentDmo")]
    public void MarketOperator_IsNeverAParty(string model)
    {
        var h = new LedgerHarness(model);
        var result = h.One(LedgerHarness.Envelope(WithSeller(h, h.Operator), h.Operator, h.Bob));
        Assert.Equal(ReasonCodes.OperatorMayNotTrade, result.Code);
        Assert.Contains("market operator", result.Message);
    }

    [Fact]
    public void Model5_UtilityIsTheOperator_MayNotTrade()
    {
        var h = new LedgerHarness("UtilityDmo");
        var result = h.One(LedgerHarness.Envelope(WithSeller(h, h.Utility), h.Utility, h.Bob));
        Assert.Equal(ReasonCodes.OperatorMayNotTrade, result.Code);
        Assert.Contains("Model 5", result.Message);
    }

    [Fact]
    public void Model6_WithoutUtilityMayTrade_UtilityMayNotTrade()
    {
        var h = new LedgerHarness("IndependentDmo", utilityMayTrade: false);
        Assert.Equal(ReasonCodes.UtilityMayNotTrade, h.One(LedgerHarness.Envelope(WithSeller(h, h.Utility), h.Utility, h.Bob)).Code);
    }

    [Fact]
    public void Model6_WithUtilityMayTrade_UtilityPassesTheTradingRule()
    {
        var h = new LedgerHarness("IndependentDmo", utilityMayTrade: true);
        // The utility owns no meter here, so the trade stops at the meter check — past the DSO rule.
        var result = h.One(LedgerHarness.Envelope(WithSeller(h, h.Utility), h.Utility, h.Bob));
        Assert.Equal(ReasonCodes.MeterNotOwned, result.Code);
    }

    [Fact]
    public void Genesis_Model5WithUtilityMayTrade_IsRejected()
        => Assert.Throws<P2PEnergy.Node.Ledger.Genesis.GenesisException>(() => new LedgerHarness("UtilityDmo", utilityMayTrade: true));

    [Theory]
    [InlineData(3)] [InlineData(4)]
    public void PlannerAndRegulator_DoNotTrade(int which)
    {
        var h = new LedgerHarness();
        var key = which == 3 ? h.Planner : h.Regulator;
        Assert.Equal(ReasonCodes.NotAdmitted, h.One(LedgerHarness.Envelope(WithSeller(h, key), key, h.Bob)).Code);
    }
}
