using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;

namespace P2PEnergy.Contracts.Tests.TypedData;

/// <summary>The project's structs: derived from the protos, hashed directly, and equal to the generic EIP-712 encoder.</summary>
public class LedgerTypedDataTests
{
    private static readonly Address Alice = Address.Parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
    private static readonly Address Bob = Address.Parse("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359");

    public static EnergyContract Contract() => new()
    {
        Seller = ByteString.CopyFrom(Alice.Bytes), Buyer = ByteString.CopyFrom(Bob.Bytes),
        SellerMeter = "MTR-A", BuyerMeter = "MTR-B", IntervalStart = 1_795_000_500, IntervalCount = 4,
        WhPerInterval = 2_500, PricePerKwh = 180_000, Nonce = 1, ValidUntil = 1_795_000_000,
    };

    [Fact]
    public void EnergyContract_EncodeType_IsSettled()
        => Assert.Equal(
            "EnergyContract(address seller,address buyer,string sellerMeter,string buyerMeter,uint64 intervalStart,uint32 intervalCount,uint64 whPerInterval,uint64 pricePerKwh,uint64 nonce,uint64 validUntil)",
            LedgerTypedData.Types(EnergyContract.Descriptor).EncodeType("EnergyContract"));

    [Fact]
    public void SetPolrTariff_EncodeType_AppendsReferencedStruct()
        => Assert.Equal(
            "SetPolrTariff(uint64 effectiveFrom,uint64 standbyPerDay,PolrPrice[] prices,uint64 nonce)PolrPrice(uint32 fromMinute,uint64 sellPerKwh,uint64 buyPerKwh)",
            LedgerTypedData.Types(SetPolrTariff.Descriptor).EncodeType("SetPolrTariff"));

    [Fact]
    public void CommitVote_EncodeType_CarriesTheVoteTypeAsUint8()
        => Assert.Equal(
            "CommitVote(uint64 height,uint32 round,bytes32 blockHash,uint8 voteType)",
            LedgerTypedData.Types(CommitVote.Descriptor).EncodeType("CommitVote"));

    [Fact]
    public void CommitVote_PrevoteAndPrecommit_HaveDifferentDigests()
    {
        var prevote = new CommitVote { Height = 5, Round = 1, BlockHash = ByteString.CopyFrom(new byte[32]), VoteType = VoteType.Prevote };
        var precommit = prevote.Clone();
        precommit.VoteType = VoteType.Precommit;
        Assert.NotEqual(LedgerTypedData.Digest(prevote, 1), LedgerTypedData.Digest(precommit, 1));
    }

    [Fact]
    public void Enum_OutsideUint8_IsRejectedNamingTheField()
    {
        var vote = new CommitVote { Height = 5, BlockHash = ByteString.CopyFrom(new byte[32]), VoteType = (VoteType)256 };
        var e = Assert.Throws<TypedDataException>(() => LedgerTypedData.HashStruct(vote));
        Assert.Contains("voteType", e.Message);
        Assert.Contains("256", e.Message);
    }

    [Fact]
    public void CommitVote_FromDocument_RoundTripsTheVoteType()
    {
        var vote = new CommitVote { Height = 9, Round = 2, BlockHash = ByteString.CopyFrom(Enumerable.Repeat((byte)7, 32).ToArray()), VoteType = VoteType.Precommit };
        var json = LedgerTypedData.ToDocument(vote, 7).ToJson();
        Assert.Equal(vote, LedgerTypedData.FromDocument(TypedDataDocument.Parse(json), CommitVote.Parser, 7));
    }

    [Fact]
    public void BlockProposal_EncodeType_IsSettled()
        => Assert.Equal(
            "BlockProposal(uint64 height,uint32 round,int64 polRound,bytes32 blockHash)",
            LedgerTypedData.Types(BlockProposal.Descriptor).EncodeType("BlockProposal"));

    public static TheoryData<string> SignedMessageNames() => [.. LedgerTypedData.SignedMessages.Select(d => d.Name)];

    [Theory, MemberData(nameof(SignedMessageNames))]
    public void DirectHash_EqualsGenericEncoder_ForEveryStruct(string name)
    {
        var descriptor = LedgerTypedData.SignedMessages.Single(d => d.Name == name);
        var message = Populate(descriptor);
        var document = LedgerTypedData.ToDocument(message, chainId: 31337);
        var reparsed = TypedDataDocument.Parse(document.ToJson());
        Assert.Equal(LedgerTypedData.HashStruct(message), reparsed.MessageHash);
        Assert.Equal(LedgerTypedData.Digest(message, 31337), reparsed.Digest);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(64)] // the longest string whose hash is held for the next message naming it
    [InlineData(65)]
    [InlineData(256)] // the longest string hashed from the stack
    [InlineData(257)]
    [InlineData(4000)]
    public void LongAndNonBmpStrings_HashAsTheGenericEncoder(int length)
    {
        var contract = Contract();
        contract.SellerMeter = new string('é', length);
        contract.BuyerMeter = string.Concat(Enumerable.Repeat("\U0001F50C", length / 2)); // surrogate pairs: 4 UTF-8 bytes per 2 chars
        var reparsed = TypedDataDocument.Parse(LedgerTypedData.ToDocument(contract, 7).ToJson());
        Assert.Equal(LedgerTypedData.HashStruct(contract), reparsed.MessageHash);
        Assert.Equal(LedgerTypedData.Digest(contract, 7), reparsed.Digest);
        Assert.Equal(LedgerTypedData.HashStruct(contract), reparsed.MessageHash); // again, short strings' hashes now held
    }

    [Fact]
    public void LongList_HashesAsTheGenericEncoder()
    {
        var baseline = new SetBaseline { IntervalStart = 900, IntervalCount = 1, Nonce = 1 };
        for (int i = 0; i < 300; i++) baseline.Entries.Add(new BaselineEntry { Element = $"F{i}", ActiveW = i - 150, ReactiveVar = -i });
        var reparsed = TypedDataDocument.Parse(LedgerTypedData.ToDocument(baseline, 1).ToJson());
        Assert.Equal(LedgerTypedData.HashStruct(baseline), reparsed.MessageHash);
        Assert.Equal(LedgerTypedData.Digest(baseline, 1), reparsed.Digest);
    }

    [Fact]
    public void FromDocument_RoundTrips()
    {
        var json = LedgerTypedData.ToDocument(Contract(), 7).ToJson(indented: true);
        var back = LedgerTypedData.FromDocument(TypedDataDocument.Parse(json), EnergyContract.Parser, 7);
        Assert.Equal(Contract(), back);
    }

    [Fact]
    public void FromDocument_OtherChain_IsRejected()
    {
        var json = LedgerTypedData.ToDocument(Contract(), 7).ToJson();
        var e = Assert.Throws<TypedDataException>(() => LedgerTypedData.FromDocument(TypedDataDocument.Parse(json), EnergyContract.Parser, 8));
        Assert.Contains("chain 8", e.Message);
    }

    [Fact]
    public void Digest_BindsChainId()
        => Assert.NotEqual(LedgerTypedData.Digest(Contract(), 1), LedgerTypedData.Digest(Contract(), 2));

    [Fact]
    public void Int64_Negative_IsTwosComplement()
    {
        var baseline = new SetBaseline { IntervalStart = 900, IntervalCount = 1, Nonce = 1 };
        baseline.Entries.Add(new BaselineEntry { Element = "F1", ActiveW = -5_000, ReactiveVar = -1 });
        var reparsed = TypedDataDocument.Parse(LedgerTypedData.ToDocument(baseline, 1).ToJson());
        Assert.Equal(LedgerTypedData.HashStruct(baseline), reparsed.MessageHash);
    }

    [Fact]
    public void Address_WrongLength_IsRejectedNamingTheField()
    {
        var contract = Contract();
        contract.Buyer = ByteString.CopyFrom(new byte[19]);
        Assert.Contains("buyer", Assert.Throws<TypedDataException>(() => LedgerTypedData.HashStruct(contract)).Message);
    }

    /// <summary>Every field set to a distinct non-default value, so a field the direct hash forgot shows up.</summary>
    internal static IMessage Populate(Google.Protobuf.Reflection.MessageDescriptor descriptor, int seed = 1)
    {
        var message = descriptor.Parser.ParseFrom(ByteString.Empty);
        foreach (var field in descriptor.Fields.InFieldNumberOrder())
        {
            seed++;
            object Value() => field.FieldType switch
            {
                Google.Protobuf.Reflection.FieldType.String => $"v{seed}-é",
                Google.Protobuf.Reflection.FieldType.Bool => true,
                Google.Protobuf.Reflection.FieldType.UInt32 => (uint)seed * 1000,
                Google.Protobuf.Reflection.FieldType.UInt64 => ulong.MaxValue - (ulong)seed,
                Google.Protobuf.Reflection.FieldType.Int64 => -(long)seed,
                // The enum's last declared value: non-zero, so a forgotten enum member changes the hash.
                Google.Protobuf.Reflection.FieldType.Enum => Enum.ToObject(field.EnumType.ClrType, field.EnumType.Values[^1].Number),
                Google.Protobuf.Reflection.FieldType.Bytes => ByteString.CopyFrom(Enumerable.Repeat((byte)seed,
                    LedgerTypedData.DynamicBytesFields.Contains(field.JsonName) ? 65 : LedgerTypedData.Bytes32Fields.Contains(field.JsonName) ? 32 : 20).ToArray()),
                _ => Populate(field.MessageType, seed * 7),
            };
            if (field.IsRepeated)
            {
                var list = (System.Collections.IList)field.Accessor.GetValue(message);
                list.Add(Value()); list.Add(Value());
            }
            else field.Accessor.SetValue(message, Value());
        }
        return message;
    }
}
