using P2PEnergy.Node.Ledger.Genesis;

namespace P2PEnergy.Node.Tests.Ledger.Governance;

/// <summary>The validator set in genesis: who runs each validator, the validator authority, and the 1/3 advice.</summary>
public sealed class GenesisValidatorTests
{
    private static GenesisValidator V(int key, long power, string? op = null, string? role = null)
        => new() { Address = LedgerHarness.Key(70 + key).Address.ToString(), Power = power, Operator = op, Role = role };

    [Fact]
    public void OperatorAndRole_AreCarriedIntoTheParameters()
    {
        var h = new LedgerHarness(configure: g => g.Validators = [V(1, 1, "Utility Co", "Utility"), V(2, 1, "DMO Ltd", "MarketOperator")]);
        Assert.Equal([("Utility Co", "Utility"), ("DMO Ltd", "MarketOperator")], h.Parameters.Validators.Select(v => (v.Operator, v.Role)));
    }

    [Fact]
    public void ValidatorAuthority_DefaultsToTheUtility()
    {
        var h = new LedgerHarness();
        Assert.Equal(h.Utility.Address, h.Parameters.ValidatorAuthority);
    }

    [Fact]
    public void ValidatorAuthority_BadAddress_OrAParticipant_IsRefused()
    {
        Assert.Contains("validatorAuthority", Assert.Throws<GenesisException>(() => new LedgerHarness(configure: g => g.ValidatorAuthority = "0x12")).Message);
        var alice = LedgerHarness.Key(10).Address.ToString();
        Assert.Contains("is an authority account", Assert.Throws<GenesisException>(() => new LedgerHarness(configure: g => g.ValidatorAuthority = alice)).Message);
    }

    [Fact]
    public void DuplicateValidator_IsRefusedNamingTheAddress()
    {
        var e = Assert.Throws<GenesisException>(() => new LedgerHarness(configure: g => g.Validators = [V(1, 1), V(1, 2)]));
        Assert.Contains($"validators lists {LedgerHarness.Key(71).Address} twice", e.Message);
    }

    [Fact]
    public void ZeroPower_OrTooMuchPower_IsRefused()
    {
        Assert.Contains("validators[0].power must be > 0, got 0", Assert.Throws<GenesisException>(() => new LedgerHarness(configure: g => g.Validators = [V(1, 0)])).Message);
        Assert.Contains("total power must be ≤", Assert.Throws<GenesisException>(() => new LedgerHarness(configure: g => g.Validators = [V(1, ValidatorInfo.MaxTotalPower), V(2, 1)])).Message);
    }

    [Fact]
    public void LongOperatorOrRole_IsRefused_InUtf8BytesAsInSetValidatorSet()
    {
        Assert.Contains("validators[0].operator is 65 bytes, the limit is 64", Assert.Throws<GenesisException>(() => new LedgerHarness(configure: g => g.Validators = [V(1, 1, new string('o', 65))])).Message);
        // 17 characters, 34 bytes: over the role limit of 32.
        Assert.Contains("validators[0].role is 34 bytes, the limit is 32", Assert.Throws<GenesisException>(() => new LedgerHarness(configure: g => g.Validators = [V(1, 1, "Utility", new string('é', 17))])).Message);
    }

    [Fact]
    public void Advice_NamesAnOperatorHoldingAThirdOrMore()
    {
        var h = new LedgerHarness(configure: g => g.Validators = [V(1, 1, "Utility"), V(2, 1, "Utility"), V(3, 1, "DMO"), V(4, 1, "Regulator"), V(5, 1, "Independent")]);
        var advice = Assert.Single(h.Document.Advice());
        Assert.Contains("operator 'Utility' holds 2 of 5 voting power (≥ 1/3)", advice);
    }

    [Fact]
    public void Advice_IsSilent_WhenOperatorsAreNotNamed_OrWellSpread()
    {
        Assert.Empty(new LedgerHarness().Document.Advice());
        Assert.Empty(new LedgerHarness(configure: g => g.Validators = [V(1, 1, "A"), V(2, 1, "B"), V(3, 1, "C"), V(4, 1, "D")]).Document.Advice());
    }
}
