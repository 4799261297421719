using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.ValidatorSets;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Node.Tests.Ledger.Governance;

/// <summary>SetValidatorSet: only the validator authority, a valid set, in force from two heights after its block.</summary>
public sealed class ValidatorSetTransactionTests
{
    private static ValidatorEntry Entry(PrivateKey key, ulong power, string op = "DMO", string role = "MarketOperator")
        => new() { Validator = ByteString.CopyFrom(key.Address.Bytes), Power = power, Operator = op, Role = role };

    private static SetValidatorSet Set(ulong nonce, params ValidatorEntry[] entries)
    {
        var set = new SetValidatorSet { Nonce = nonce };
        set.Validators.AddRange(entries);
        return set;
    }

    [Fact]
    public void SetByTheAuthority_IsInForceFromHPlusTwo_NotBefore()
    {
        var h = new LedgerHarness();
        var newcomer = LedgerHarness.Key(60);
        var result = h.One(LedgerHarness.Envelope(Set(1, Entry(h.Validator, 1, "Utility", "Utility"), Entry(newcomer, 2)), h.Utility));
        Assert.Equal(ReasonCodes.Ok, result.Code);
        ulong committedAt = h.Height;
        Assert.Equal([h.Validator.Address], ValidatorSchedule.InForce(h.State, h.Parameters, committedAt + 1).Select(v => v.Address));
        var from = ValidatorSchedule.InForce(h.State, h.Parameters, committedAt + 2);
        Assert.Equal([(h.Validator.Address, 1L, "Utility"), (newcomer.Address, 2L, "DMO")], from.Select(v => (v.Address, v.Power, v.Operator)));
        Assert.Equal(from, ValidatorSchedule.InForce(h.State, h.Parameters, committedAt + 100));
    }

    [Fact]
    public void SetByAnyoneElse_IsUnauthorized_NamingTheAuthority()
    {
        var h = new LedgerHarness();
        var result = h.One(LedgerHarness.Envelope(Set(1, Entry(h.Alice, 1)), h.Operator));
        Assert.Equal(ReasonCodes.Unauthorized, result.Code);
        Assert.Contains($"validator authority {h.Utility.Address}", result.Message);
    }

    [Fact]
    public void NamedAuthority_ReplacesTheUtility()
    {
        var authority = LedgerHarness.Key(61);
        var h = new LedgerHarness(configure: g => g.ValidatorAuthority = authority.Address.ToString());
        Assert.Equal(ReasonCodes.Unauthorized, h.One(LedgerHarness.Envelope(Set(1, Entry(h.Alice, 1)), h.Utility)).Code);
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(Set(2, Entry(h.Alice, 1)), authority)).Code);
    }

    [Theory]
    [InlineData("empty", "validators must number 1..100, got 0")]
    [InlineData("zero power", "validators[0].power must lie in [1, 1152921504606846975], got 0")]
    [InlineData("twice", "is listed twice")]
    [InlineData("total", "the total power 2305843009213693950 exceeds 1152921504606846975")]
    public void InvalidSet_IsInvalidArgument_NamingTheEntryAndLimit(string what, string message)
    {
        var h = new LedgerHarness();
        var set = what switch
        {
            "empty" => Set(1),
            "zero power" => Set(1, Entry(h.Alice, 0)),
            "twice" => Set(1, Entry(h.Alice, 1), Entry(h.Alice, 2)),
            "total" => Set(1, Entry(h.Alice, ValidatorInfo.MaxTotalPower), Entry(h.Bob, ValidatorInfo.MaxTotalPower)),
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };
        var result = h.One(LedgerHarness.Envelope(set, h.Utility));
        Assert.Equal(ReasonCodes.InvalidArgument, result.Code);
        Assert.Contains(message, result.Message);
        Assert.Equal(h.Parameters.Validators, ValidatorSchedule.InForce(h.State, h.Parameters, h.Height + 2));
    }

    [Theory]
    [InlineData("operator", 65, "SetValidatorSet.validators[0].operator is 65 bytes, the limit is 64")]
    [InlineData("role", 33, "SetValidatorSet.validators[0].role is 33 bytes, the limit is 32")]
    public void LongOperatorOrRole_IsTooLarge_NamingTheEntryAndLimit(string field, int length, string message)
    {
        var h = new LedgerHarness();
        var entry = field == "operator" ? Entry(h.Alice, 1, op: new string('x', length)) : Entry(h.Alice, 1, role: new string('x', length));
        var result = h.One(LedgerHarness.Envelope(Set(1, entry), h.Utility));
        Assert.Equal(ReasonCodes.TooLarge, result.Code);
        Assert.Contains(message, result.Message);
        Assert.Equal(h.Parameters.Validators, ValidatorSchedule.InForce(h.State, h.Parameters, h.Height + 2));
    }

    [Fact]
    public void SameNonce_AnotherSet_IsNonceReused_NamingTheAuthority()
    {
        var h = new LedgerHarness();
        Assert.Equal(ReasonCodes.Ok, h.One(LedgerHarness.Envelope(Set(4, Entry(h.Alice, 1)), h.Utility)).Code);
        var again = h.One(LedgerHarness.Envelope(Set(4, Entry(h.Bob, 1)), h.Utility));
        Assert.Equal(ReasonCodes.NonceReused, again.Code);
        Assert.Contains($"nonce 4 of signer {h.Utility.Address}", again.Message);
    }

    [Fact]
    public void MalformedAddress_IsMalformed_NamingTheField()
    {
        // A 19-byte address has no EIP-712 encoding, so nobody can sign it: the envelope carries a stand-in signature.
        var h = new LedgerHarness();
        var tx = new Transaction { ChainId = LedgerHarness.ChainId, SetValidatorSet = Set(1, new ValidatorEntry { Validator = ByteString.CopyFrom(new byte[19]), Power = 1 }) };
        tx.Signatures.Add(ByteString.CopyFrom(h.Utility.Sign(Keccak256.Hash("x"u8)).Bytes));
        var result = h.One(tx);
        Assert.Equal(ReasonCodes.Malformed, result.Code);
        Assert.Contains("validator: must be 20 bytes, got 19", result.Message);
    }

    [Fact]
    public void SameSetTwice_IsAReplay()
    {
        var h = new LedgerHarness();
        var tx = LedgerHarness.Envelope(Set(1, Entry(h.Alice, 1)), h.Utility);
        Assert.Equal(ReasonCodes.Ok, h.One(tx).Code);
        Assert.Equal(ReasonCodes.NonceReused, h.One(tx).Code);
    }

    [Fact]
    public void LaterSet_ReplacesTheEarlier_FromItsOwnHPlusTwo()
    {
        var h = new LedgerHarness();
        h.One(LedgerHarness.Envelope(Set(1, Entry(h.Alice, 1)), h.Utility));
        ulong first = h.Height;
        h.One(LedgerHarness.Envelope(Set(2, Entry(h.Bob, 3)), h.Utility));
        ulong second = h.Height;
        Assert.Equal([h.Alice.Address], ValidatorSchedule.InForce(h.State, h.Parameters, first + 2).Select(v => v.Address));
        Assert.Equal([h.Bob.Address], ValidatorSchedule.InForce(h.State, h.Parameters, second + 2).Select(v => v.Address));
    }
}
