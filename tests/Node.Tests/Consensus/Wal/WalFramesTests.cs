using P2PEnergy.Node.Consensus.Wal;

namespace P2PEnergy.Node.Tests.Consensus.Wal;

/// <summary>The log's framing: what is a torn tail (cut off), what is a damaged middle or a foreign file (refused).</summary>
public sealed class WalFramesTests
{
    private static byte[] Log(params byte[][] payloads) => [.. WalFrames.Header(), .. payloads.SelectMany(p => WalFrames.Frame(p))];

    private static readonly byte[] First = "first record"u8.ToArray(), Second = "second record"u8.ToArray(), Third = "third record"u8.ToArray();

    [Fact]
    public void Crc32C_MatchesTheStandardCheckValue()
        => Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8)); // RFC 3720 / iSCSI check value

    [Fact]
    public void WholeLog_ReadsEveryRecord()
    {
        var content = Log(First, Second, Third);
        var (records, valid) = WalFrames.Read("wal", content);
        Assert.Equal([First, Second, Third], records.Select(r => r.ToArray()));
        Assert.Equal(content.Length, valid);
    }

    [Theory]
    [InlineData(1)]   // the length of the last frame only
    [InlineData(7)]   // length and part of the checksum
    [InlineData(12)]  // the payload cut short
    public void TornTail_EndsAtTheLastWholeRecord(int keptOfLast)
    {
        var whole = Log(First, Second, Third);
        int lastStart = whole.Length - WalFrames.FrameOverhead - Third.Length;
        var (records, valid) = WalFrames.Read("wal", whole[..(lastStart + keptOfLast)]);
        Assert.Equal([First, Second], records.Select(r => r.ToArray()));
        Assert.Equal(lastStart, valid);
    }

    [Fact]
    public void TornTail_FollowedByZeros_IsStillATornTail()
    {
        var whole = Log(First, Second);
        var (records, valid) = WalFrames.Read("wal", [.. whole, .. WalFrames.Frame(Third)[..5], .. new byte[4096]]);
        Assert.Equal(2, records.Count);
        Assert.Equal(whole.Length, valid);
    }

    [Fact]
    public void BitFlipInTheLastRecord_IsATornTail()
    {
        var content = Log(First, Second);
        content[^1] ^= 0x40;
        var (records, valid) = WalFrames.Read("wal", content);
        Assert.Single(records);
        Assert.Equal(content.Length - WalFrames.FrameOverhead - Second.Length, valid);
    }

    [Theory]
    [InlineData(0)] // in the length
    [InlineData(5)] // in the checksum
    [InlineData(9)] // in the payload
    public void BitFlipInTheMiddle_RefusesNamingTheOffset(int at)
    {
        var content = Log(First, Second, Third);
        int middle = WalFrames.HeaderLength + WalFrames.FrameOverhead + First.Length;
        content[middle + at] ^= 0x10;
        var e = Assert.Throws<WalException>(() => WalFrames.Read("wal-x.log", content));
        Assert.Equal(middle, e.Offset);
        Assert.Contains("wal-x.log", e.Message);
        Assert.Contains("middle of the log is corrupt", e.Message);
    }

    [Fact]
    public void EmptyFile_HoldsNoRecords()
        => Assert.Equal((0, 0L), (WalFrames.Read("wal", []).Records.Count, WalFrames.Read("wal", []).ValidLength));

    [Fact]
    public void HeaderCutShort_OrZeros_IsAnUnfinishedNewSegment()
    {
        Assert.Empty(WalFrames.Read("wal", WalFrames.Header()[..5]).Records);
        Assert.Empty(WalFrames.Read("wal", [.. WalFrames.Header()[..3], .. new byte[40]]).Records);
        Assert.Equal(0, WalFrames.Read("wal", new byte[64]).ValidLength);
    }

    [Fact]
    public void WrongMagic_IsRefused()
    {
        var content = Log(First);
        content[0] = (byte)'X';
        Assert.Contains("not the P2PE-WAL magic", Assert.Throws<WalException>(() => WalFrames.Read("wal", content)).Message);
        Assert.Contains("not the P2PE-WAL magic", Assert.Throws<WalException>(() => WalFrames.Read("wal", "{\"height\":1}"u8.ToArray())).Message);
    }

    [Fact]
    public void OtherVersion_IsRefusedNamingBoth()
    {
        var content = Log(First);
        content[8] = 2;
        var e = Assert.Throws<WalException>(() => WalFrames.Read("wal", content));
        Assert.Contains("version 2; this node reads version 1", e.Message);
        Assert.Equal(8, e.Offset);
    }

    [Fact]
    public void Frame_RefusesEmptyAndOversizedPayloads()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WalFrames.Frame([1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => WalFrames.Frame(new byte[WalFrames.MaxPayload + 1]));
    }
}
