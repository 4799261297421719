using Google.Protobuf;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Market.Settlement;

namespace P2PEnergy.Node.Tests.Settlement;

/// <summary>The allocation-free reader of interval index entries agrees with the generated protobuf parser.</summary>
public sealed class ContractDueReaderTests
{
    [Fact]
    public void Read_RandomEntries_MatchesTheGeneratedParser()
    {
        var random = new Random(7);
        for (int i = 0; i < 500; i++)
        {
            var due = new ContractDue
            {
                Seller = Bytes(random, 20), Buyer = Bytes(random, 20),
                SellerMeter = "M-" + random.Next(), BuyerMeter = random.Next(2) == 0 ? "" : "meter.b_" + random.Next(),
                IntervalStart = Next(random), IntervalCount = (uint)random.Next(1, int.MaxValue), WhPerInterval = Next(random),
                Payment = Next(random), DmoFeeBuyer = Next(random), DmoFeeSeller = Next(random), GridFee = i % 3 == 0 ? 0 : Next(random),
            };
            var bytes = due.ToByteArray();
            var read = ContractDueReader.Read(bytes);
            Assert.Equal(due.Seller.ToByteArray(), read.Seller.ToArray());
            Assert.Equal(due.Buyer.ToByteArray(), read.Buyer.ToArray());
            Assert.Equal(due.SellerMeter, System.Text.Encoding.ASCII.GetString(read.SellerMeter));
            Assert.Equal(due.BuyerMeter, System.Text.Encoding.ASCII.GetString(read.BuyerMeter));
            Assert.Equal((due.IntervalStart, due.IntervalCount, due.WhPerInterval), (read.IntervalStart, read.IntervalCount, read.WhPerInterval));
            Assert.Equal((due.Payment, due.DmoFeeBuyer, due.DmoFeeSeller, due.GridFee), (read.Payment, read.DmoFeeBuyer, read.DmoFeeSeller, read.GridFee));
        }
    }

    [Fact]
    public void Read_SkipsUnknownFields_AsProtobufRequires()
    {
        var due = new ContractDue { Seller = Bytes(new Random(1), 20), Buyer = Bytes(new Random(2), 20), IntervalCount = 4, Payment = 9 };
        var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        output.WriteTag(99, WireFormat.WireType.Varint); output.WriteUInt64(123);
        output.WriteTag(100, WireFormat.WireType.LengthDelimited); output.WriteBytes(ByteString.CopyFromUtf8("future"));
        output.WriteTag(101, WireFormat.WireType.Fixed64); output.WriteFixed64(1);
        output.WriteTag(102, WireFormat.WireType.Fixed32); output.WriteFixed32(1);
        output.Flush();
        byte[] bytes = [.. stream.ToArray(), .. due.ToByteArray()];
        var read = ContractDueReader.Read(bytes);
        Assert.Equal(4u, read.IntervalCount);
        Assert.Equal(9UL, read.Payment);
    }

    [Theory]
    [InlineData(new byte[] { 0x08 }, "varint runs past the end")]                    // tag, no value
    [InlineData(new byte[] { 0x0A, 0x05, 1, 2 }, "claims 5 bytes, 2 remain")]         // seller claims 5 bytes
    [InlineData(new byte[] { 0x0B }, "wire type 3")]                                  // start-group
    [InlineData(new byte[] { 0x28, 1 }, "seller and buyer must be 20-byte addresses")] // no parties
    public void Read_Malformed_ThrowsNamingTheProblem(byte[] bytes, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => ContractDueReader.Read(bytes));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Read_ZeroIntervalCount_IsRejected()
    {
        var bytes = new ContractDue { Seller = Bytes(new Random(1), 20), Buyer = Bytes(new Random(2), 20) }.ToByteArray();
        Assert.Contains("intervalCount 0", Assert.Throws<InvalidDataException>(() => ContractDueReader.Read(bytes)).Message);
    }

    private static ByteString Bytes(Random random, int n)
    {
        var b = new byte[n];
        random.NextBytes(b);
        return ByteString.CopyFrom(b);
    }

    private static ulong Next(Random random) => (ulong)random.NextInt64() >> random.Next(0, 63);
}
