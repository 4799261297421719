using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.Kernel;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Node.Tests.Ledger;

/// <summary>
/// transactions.proto: a transaction's id is keccak256 of its bytes as submitted. So one signed transaction has one
/// encoding: anything a protobuf serializer would not write is MALFORMED, naming the field (issue 12 item 4).
/// </summary>
public sealed class CanonicalEncodingTests
{
    private readonly LedgerHarness _chain = new();
    private readonly TransactionVerifier _verifier = new(LedgerHarness.ChainId, Secp256k1.Default);

    private byte[] Contract() => LedgerHarness.Envelope(_chain.Contract(_chain.Alice, _chain.Bob), _chain.Alice, _chain.Bob).ToByteArray();

    private string Malformed(byte[] bytes)
    {
        var rejection = Assert.Throws<LedgerRejection>(() => _verifier.Verify(bytes));
        Assert.True(rejection.Code == ReasonCodes.Malformed, $"{rejection.Code}: {rejection.Message}");
        return rejection.Message;
    }

    /// <summary>Envelope bytes with <paramref name="body"/> (already encoded) as the EnergyContract, signatures dropped.</summary>
    private static byte[] WithContractBody(byte[] body)
    {
        var output = new MemoryStream();
        var writer = new CodedOutputStream(output);
        writer.WriteTag(1, WireFormat.WireType.LengthDelimited);
        writer.WriteBytes(ByteString.CopyFrom(body));
        writer.WriteTag(29, WireFormat.WireType.Varint);
        writer.WriteUInt64(LedgerHarness.ChainId);
        writer.Flush();
        return output.ToArray();
    }

    [Fact]
    public void Canonical_IsAccepted_AndItsIdIsKeccakOfTheBytes()
    {
        var bytes = Contract();
        Assert.Equal(Keccak256.Hash(bytes), _verifier.Verify(bytes).Id);
    }

    [Fact]
    public void ExplicitEmptyAttachment_IsMalformed_NamingAttachment()
    {
        // The case: a client that writes attachment = b"" computes another id than a node that re-serializes.
        var message = Malformed([.. Contract(), 0xFA, 0x01, 0x00]);
        Assert.Contains("attachment encodes its default value", message);
    }

    [Fact]
    public void UnknownField_IsMalformed_NamingItsNumber()
        => Assert.Contains("unknown field number 20", Malformed([.. Contract(), 0xA0, 0x01, 0x07]));

    [Fact]
    public void FieldsOutOfOrder_AreMalformed()
    {
        var tx = Transaction.Parser.ParseFrom(Contract());
        // chain_id (29) first, then the body (1): the same message, another byte string.
        var output = new MemoryStream();
        var writer = new CodedOutputStream(output);
        writer.WriteTag(29, WireFormat.WireType.Varint);
        writer.WriteUInt64(tx.ChainId);
        writer.WriteTag(1, WireFormat.WireType.LengthDelimited);
        writer.WriteMessage(tx.EnergyContract);
        foreach (var signature in tx.Signatures) { writer.WriteTag(30, WireFormat.WireType.LengthDelimited); writer.WriteBytes(signature); }
        writer.Flush();
        Assert.Contains("energyContract (field 1) comes after field 29", Malformed(output.ToArray()));
    }

    [Fact]
    public void ExplicitZeroInTheBody_IsMalformed_NamingTheNestedField()
    {
        var terms = _chain.Contract(_chain.Alice, _chain.Bob);
        terms.ValidUntil = 0;
        // validUntil (field 10, the last) = 0, written out: proto3 leaves zeros out.
        byte[] withZero = [.. terms.ToByteArray(), 0x50, 0x00];
        Assert.Contains("energyContract.validUntil encodes its default value (0)", Malformed(WithContractBody(withZero)));
    }

    [Fact]
    public void RepeatedSingularField_IsMalformed()
    {
        var body = _chain.Contract(_chain.Alice, _chain.Bob).ToByteArray();
        // A second validUntil (field 10): protobuf keeps the last, so the signed terms would not be what was sent.
        Assert.Contains("energyContract.validUntil appears twice", Malformed(WithContractBody([.. body, 0x50, 0x05])));
    }

    [Fact]
    public void NonMinimalVarint_IsMalformed()
    {
        var bytes = Contract();
        // chain_id 4242 is 0x92 0x21; the same value in three bytes is 0x92 0xA1 0x00.
        int at = bytes.AsSpan().IndexOf(new byte[] { 0xE8, 0x01, 0x92, 0x21 });
        Assert.True(at >= 0);
        byte[] padded = [.. bytes[..(at + 2)], 0x92, 0xA1, 0x00, .. bytes[(at + 4)..]];
        Assert.Contains("chainId: varint is not minimally encoded", Malformed(padded));
    }

    [Fact]
    public void InvalidUtf8_IsMalformed_NamingTheField()
    {
        var terms = _chain.Contract(_chain.Alice, _chain.Bob);
        terms.SellerMeter = "MTR-Z";
        var bytes = LedgerHarness.Envelope(terms, _chain.Alice, _chain.Bob).ToByteArray();
        bytes[bytes.AsSpan().IndexOf("MTR-Z"u8) + 4] = 0xFF;
        // Google.Protobuf 3.36 refuses it too, but names no field (3.25 read "MTR-\uFFFD" and went on).
        Assert.Throws<InvalidProtocolBufferException>(() => Transaction.Parser.ParseFrom(bytes));
        Assert.Contains("energyContract.sellerMeter is not valid UTF-8", Malformed(bytes));
    }

    [Fact]
    public void NestedRepeatedMessages_AreNamedWithTheirIndex()
    {
        var baseline = new SetBaseline { IntervalStart = 900, IntervalCount = 1, Nonce = 1, Entries = { new BaselineEntry { Element = "T1", ActiveW = 5 }, new BaselineEntry { Element = "T2", ActiveW = 6 } } };
        var bytes = LedgerHarness.Envelope(baseline, _chain.Planner).ToByteArray();
        bytes[bytes.AsSpan().IndexOf("T2"u8) + 1] = 0xC0; // 0xC0 is never valid UTF-8
        Assert.Contains("setBaseline.entries[1].element is not valid UTF-8", Malformed(bytes));
    }
}
