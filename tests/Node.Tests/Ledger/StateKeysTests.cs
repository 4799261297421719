using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Tests.Ledger;

/// <summary>The key scheme's numbers (StateKeys.Number): ordinal order is numeric order, no encoding prefixes another, and they parse back.</summary>
public class StateKeysTests
{
    [Theory]
    [InlineData(0UL, "00")]
    [InlineData(1UL, "01")]
    [InlineData(15UL, "0f")]
    [InlineData(16UL, "110")]
    [InlineData(255UL, "1ff")]
    [InlineData(4096UL, "31000")]
    [InlineData(100_000UL, "4186a0")]
    [InlineData(ulong.MaxValue, "fffffffffffffffff")]
    public void Number_IsALengthDigitThenLowerCaseHex(ulong value, string expected)
    {
        Assert.Equal(expected, StateKeys.Number(value));
        Assert.Equal((value, expected.Length), StateKeys.ParseNumber(expected + "/rest"));
    }

    [Fact]
    public void Number_OrdinalOrderIsNumericOrder_AndNoEncodingPrefixesAnother_SeedPrinted()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        // Values of every digit count, and neighbours across each count boundary (0xf → 0x10, …).
        var values = new List<ulong> { 0, ulong.MaxValue };
        for (int bits = 1; bits < 64; bits++) values.AddRange([(1UL << bits) - 1, 1UL << bits, (1UL << bits) + 1]);
        for (int i = 0; i < 2000; i++) values.Add((ulong)random.NextInt64() >> random.Next(0, 63));
        foreach (var a in values.Take(300))
            foreach (var b in values)
            {
                string ka = StateKeys.Number(a), kb = StateKeys.Number(b);
                Assert.True(Math.Sign(a.CompareTo(b)) == Math.Sign(string.CompareOrdinal(ka, kb)), $"seed {seed}: {a} → {ka}, {b} → {kb} order differently");
                Assert.True(a == b || !kb.StartsWith(ka, StringComparison.Ordinal), $"seed {seed}: {ka} ({a}) is a prefix of {kb} ({b})");
                Assert.Equal(b, StateKeys.ParseNumber(kb).Value);
            }
    }

    [Fact]
    public void ContractIndexes_ListInCommitOrder_AcrossDigitCounts()
    {
        // Heights and positions whose encodings grow a digit (0xf → 0x10) still sort in commit order.
        var party = Address.FromBytes(new byte[20]);
        var commits = new[] { (15UL, 0), (15UL, 15), (15UL, 16), (16UL, 0), (255UL, 4_999), (256UL, 0), (ulong.MaxValue, int.MaxValue) };
        var partyKeys = commits.Select(c => StateKeys.ContractByParty(party, c.Item1, c.Item2)).ToList();
        Assert.Equal(partyKeys, partyKeys.Order(StringComparer.Ordinal));
        Assert.All(partyKeys, key => Assert.StartsWith(StateKeys.ContractByPartyScan(party), key, StringComparison.Ordinal));
        var dueKeys = commits.Select(c => StateKeys.ContractByInterval(900, c.Item1, c.Item2)).ToList();
        Assert.Equal(dueKeys, dueKeys.Order(StringComparer.Ordinal));
        // A scan from ContractByIntervalEndingAfter(e) starts after every entry ending at e and before every later one.
        Assert.True(string.CompareOrdinal(StateKeys.ContractByInterval(900, ulong.MaxValue, int.MaxValue), StateKeys.ContractByIntervalEndingAfter(900)) < 0);
        Assert.True(string.CompareOrdinal(StateKeys.ContractByInterval(901, 0, 0), StateKeys.ContractByIntervalEndingAfter(900)) > 0);
        Assert.True(string.CompareOrdinal(StateKeys.ContractByInterval(4096, 0, 0), StateKeys.ContractByIntervalEndingAfter(900)) > 0);
    }

    [Fact]
    public void ContractPartyKey_IsShort()
    {
        // party/0x<40 hex>/<height>/<position>: 61 characters at height 100,000 and position 4,999 (102 with 20-digit numbers).
        var key = StateKeys.ContractByParty(Address.FromBytes(Enumerable.Repeat((byte)0xab, 20).ToArray()), 100_000, 4_999);
        Assert.Equal("party/0x" + string.Concat(Enumerable.Repeat("ab", 20)) + "/4186a0/31387", key);
    }

    [Theory]
    [InlineData("")]
    [InlineData("g1")]
    [InlineData("1f")]
    [InlineData("100")]
    [InlineData("1FF")]
    [InlineData("2ab/")]
    public void ParseNumber_RefusesWhatNumberNeverWrites(string text)
    {
        var error = Assert.Throws<FormatException>(() => StateKeys.ParseNumber(text));
        Assert.Contains($"'{text}'", error.Message);
    }
    [Theory]
    [InlineData(0UL, 0UL, 0)]
    [InlineData(1UL, 15UL, 16)]
    [InlineData(1_700_000_000UL, 123_456UL, 4_999)]
    [InlineData(ulong.MaxValue, ulong.MaxValue, int.MaxValue)]
    public void ContractAndNonceKeys_AreTheConcatenationOfTheirParts(ulong number, ulong height, int position)
    {
        // Written in one pass into the key's own characters; the text must stay what the key scheme (and the app hash) says.
        var party = Address.FromBytes(Enumerable.Range(0, 20).Select(i => (byte)(i * 13)).ToArray());
        string hex = "0x" + Convert.ToHexStringLower(party.Bytes), at = StateKeys.Number(height) + "/" + StateKeys.Number((ulong)position);

        Assert.Equal("party/" + hex + "/" + at, StateKeys.ContractByParty(party, height, position));
        Assert.Equal("due/" + StateKeys.Number(number) + "/" + at, StateKeys.ContractByInterval(number, height, position));
        Assert.Equal("nonce/" + hex + "/EnergyContract/" + StateKeys.Number(number), StateKeys.Nonce(party, "EnergyContract", number));
        Assert.Equal("contract-start/" + StateKeys.Number(number), SettlementKeys.ContractStart(number));
    }

    [Fact]
    public void CommitOrderKeys_RefuseANegativePosition()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => StateKeys.ContractByParty(Address.Zero, 1, -1));
        Assert.Equal("position", error.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => StateKeys.ContractByInterval(1, 1, -1));
    }
}
