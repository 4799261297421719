using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using Grpc.Core;
using Grpc.Net.Client;
using P2PEnergy.Contracts.Api;
using P2PEnergy.Contracts.TypedData;
using P2PEnergy.Node.Api;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Tests.Ledger;
using P2PEnergy.Node.Tests.Support;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Node.Tests.Hosting;

/// <summary>
/// Hostile and mistaken input against a real running p2pe-node process: each case gets its own gRPC status or
/// reason code (DESIGN.md rule 6), and afterwards the node still answers GetNodeStatus and commits a good transaction.
/// </summary>
[Trait("Category", "Integration")]
public sealed class BadInputTests(RunningNode fixture) : IClassFixture<RunningNode>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private const string SubmitPath = "/p2pe.v1.Ledger/SubmitTransaction";
    private GrpcChannel Channel => fixture.Channel;
    private LedgerHarness K => fixture.Chain.Keys;

    [Fact]
    public async Task BadInput_MalformedProtobuf_IsInvalidArgument()
    {
        // Field 1 (transaction), length-delimited, announces 5 bytes and carries 1: truncated protobuf.
        var (status, message) = await RawGrpcCall.PostAsync(fixture.Node.Address, SubmitPath, RawGrpcCall.Frame([0x0A, 0x05, 0x01]), Timeout);
        Assert.Equal(StatusCode.InvalidArgument, status);
        Assert.Contains("p2pe.v1.SubmitTransactionRequest", message);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task BadInput_MessageOverTheServersReceiveLimit_IsResourceExhausted_NamingTheLimit()
    {
        // The client's own send limit is lifted so the oversized message reaches the server's (4 MiB) limit.
        using var channel = GrpcChannel.ForAddress(fixture.Node.Address, new GrpcChannelOptions { MaxSendMessageSize = 16 * 1024 * 1024 });
        var tx = fixture.GoodTransaction();
        tx.Attachment = ByteString.CopyFrom(new byte[ApiLimits.MaxMessageBytes + 1]);
        var error = await Assert.ThrowsAsync<RpcException>(() => channel.SubmitAsync(tx));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        var refusal = NodeRefusal.Of(error);
        Assert.Equal(ApiReasons.MessageTooLarge.Code, refusal.Code);
        Assert.Contains("4,194,304 bytes", refusal.Message);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task BadInput_SignedForAnotherChain_IsWrongChain()
    {
        var tx = LedgerHarness.Envelope(new Deposit { Account = LiveChain.Bytes(K.Alice), Amount = 1, Reference = "other chain", Nonce = fixture.NextNonce() }, chainId: 1, K.Operator);
        await AssertVerdictAsync(tx, ReasonCodes.WrongChain);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task BadInput_SignedForAnotherChainRelabelledAsOurs_IsBadSignatureAtTheDoor()
    {
        // The envelope claims our chain id, but the EIP-712 domain the parties signed is chain 1's, so the signatures
        // recover to strangers: a transaction from another network cannot be replayed here by editing one field.
        var terms = fixture.Chain.Contract(K.Alice, K.Bob, fixture.NextNonce());
        var tx = LedgerHarness.Envelope(terms, chainId: 1, K.Alice, K.Bob);
        tx.ChainId = LedgerHarness.ChainId;
        await AssertVerdictAsync(tx, ReasonCodes.BadSignature);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task BadInput_GarbageSignature_IsBadSignature()
    {
        var tx = fixture.GoodTransaction();
        tx.Signatures[0] = ByteString.CopyFrom(Enumerable.Repeat((byte)0xFF, 65).ToArray());
        await AssertVerdictAsync(tx, ReasonCodes.BadSignature);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task BadInput_ForeignSignerForTheBuyer_IsBadSignatureAtTheDoor()
    {
        // Issue 12 item 4: refused by the mempool against the committed state, so it never takes block space.
        var tx = LedgerHarness.Envelope(fixture.Chain.Contract(K.Alice, K.Bob, fixture.NextNonce()), K.Alice, K.Stranger);
        var verdict = await AssertVerdictAsync(tx, ReasonCodes.BadSignature);
        Assert.Contains(K.Bob.Address.ToString(), verdict.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(TransactionStatus.Types.State.Unknown, (await Channel.WatchAsync(verdict.TransactionId)).State);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task BadInput_UnknownAccountAsBuyer_IsNotAdmittedAtTheDoor()
    {
        var tx = LedgerHarness.Envelope(fixture.Chain.Contract(K.Alice, K.Stranger, fixture.NextNonce()), K.Alice, K.Stranger);
        var verdict = await AssertVerdictAsync(tx, ReasonCodes.NotAdmitted);
        Assert.Contains(K.Stranger.Address.ToString(), verdict.Message, StringComparison.OrdinalIgnoreCase);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task BadInput_SuspendedBuyer_IsSuspendedAtTheDoor()
    {
        var carol = LiveChain.Bytes(K.Carol);
        Assert.Equal(ReasonCodes.Ok, (await Channel.CommitAsync(LedgerHarness.Envelope(new Admit { Account = carol, Role = "Consumer", Name = "Carol", Nonce = fixture.NextNonce() }, K.Operator))).Result.Code);
        Assert.Equal(ReasonCodes.Ok, (await Channel.CommitAsync(LedgerHarness.Envelope(new Suspend { Account = carol, Suspended = true, Reason = "unpaid grid fees", Nonce = fixture.NextNonce() }, K.Operator))).Result.Code);

        var verdict = await AssertVerdictAsync(LedgerHarness.Envelope(fixture.Chain.Contract(K.Alice, K.Carol, fixture.NextNonce()), K.Alice, K.Carol), ReasonCodes.Suspended);
        Assert.Contains("unpaid grid fees", verdict.Message);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task BadInput_ExpiredContract_IsExpired()
    {
        var validUntil = (ulong)DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds();
        var tx = LedgerHarness.Envelope(fixture.Chain.Contract(K.Alice, K.Bob, fixture.NextNonce(), validUntil), K.Alice, K.Bob);
        await AssertVerdictAsync(tx, ReasonCodes.Expired);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task BadInput_ReplayedTransaction_IsDuplicateOrNonceReused()
    {
        var terms = fixture.Chain.Contract(K.Alice, K.Bob, fixture.NextNonce());
        var original = LedgerHarness.Envelope(terms, K.Alice, K.Bob);
        Assert.Equal(ReasonCodes.Ok, (await Channel.CommitAsync(original)).Result.Code);

        // The same bytes again: the mempool knows the id is committed.
        await AssertVerdictAsync(original, ReasonCodes.Duplicate);

        // The same signed contract in a new envelope (signatures swapped, so a new transaction id): only execution,
        // which remembers the contract's payload id, can tell it is the same contract.
        var reordered = LedgerHarness.Envelope(terms, K.Bob, K.Alice);
        var replay = await Channel.CommitAsync(reordered);
        Assert.Equal(ReasonCodes.NonceReused, replay.Result.Code);
        Assert.Equal(Convert.ToHexStringLower(LedgerTypedData.Digest(terms, LedgerHarness.ChainId).Bytes), Convert.ToHexStringLower(replay.Result.PayloadId.Span));
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task BadInput_MarketOperatorAsSeller_IsOperatorMayNotTradeAtTheDoor()
    {
        var tx = LedgerHarness.Envelope(fixture.Chain.Contract(K.Operator, K.Bob, fixture.NextNonce()), K.Operator, K.Bob);
        await AssertVerdictAsync(tx, ReasonCodes.OperatorMayNotTrade);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task BadInput_StrangersDepositsWithAHugeReference_AreRefusedAtTheDoor_AndNeverCommit()
    {
        // Issue 12 item 7: 40 Deposits signed by a fresh key, each with a 250 KB reference, used to commit as
        // UNAUTHORIZED (+12.5 MB of permanent blocks). The door refuses them; nothing reaches a block.
        var stranger = new PrivateKey(Keccak256.Hash("issue-12 junk depositor"u8).Bytes);
        for (int i = 0; i < 40; i++)
        {
            var junk = LedgerHarness.Envelope(new Deposit { Account = LiveChain.Bytes(K.Alice), Amount = 1, Reference = new string('x', 250_000), Nonce = fixture.NextNonce() }, stranger);
            var verdict = await AssertVerdictAsync(junk, ReasonCodes.TooLarge);
            Assert.Contains("reference", verdict.Message);
            Assert.Contains("256", verdict.Message);
        }
        var small = await AssertVerdictAsync(LedgerHarness.Envelope(new Deposit { Account = LiveChain.Bytes(K.Alice), Amount = 1, Reference = "gift", Nonce = fixture.NextNonce() }, stranger), ReasonCodes.Unauthorized);
        Assert.Contains("market operator", small.Message);
        Assert.Equal(TransactionStatus.Types.State.Unknown, (await Channel.WatchAsync(small.TransactionId)).State);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task BadInput_ReadingOfTwoToThe64MinusOneWh_IsReadingOutOfRangeAtTheDoor()
    {
        // Signed by the meter's own device key, so only the physical range check stands between it and settlement.
        var reading = new MeterReading { Meter = "MTR-A", IntervalStart = LiveChain.IntervalAhead(-2), ExportWh = ulong.MaxValue };
        var verdict = await AssertVerdictAsync(LedgerHarness.Envelope(reading, K.AliceDevice), ReasonCodes.ReadingOutOfRange);
        // The harness meters allow 10,000 W: 10,000 × 60 s ÷ 3600 = 167 Wh (rounded up) in a 60 s interval.
        Assert.Contains("167 Wh", verdict.Message);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task BadInput_NonCanonicalEncodings_AreMalformedNamingTheField()
    {
        var good = fixture.GoodTransaction().ToByteArray();
        // attachment (field 31) present but empty: parsed it equals the good envelope, yet its bytes (and id) differ.
        var verdict = await AssertVerdictAsync([.. good, 0xFA, 0x01, 0x00], ReasonCodes.Malformed);
        Assert.Contains("attachment", verdict.Message);
        Assert.Equal(Keccak256.Hash([.. good, 0xFA, 0x01, 0x00]).ToArray(), verdict.TransactionId.ToByteArray());

        var deposit = new Deposit { Account = LiveChain.Bytes(K.Alice), Amount = 1, Reference = "AB", Nonce = fixture.NextNonce() };
        var bytes = LedgerHarness.Envelope(deposit, K.Operator).ToByteArray();
        int at = bytes.AsSpan().IndexOf("AB"u8);
        bytes[at] = 0xC3; // a lead byte followed by ASCII: invalid UTF-8, which Google.Protobuf refuses without naming the field
        var utf8 = await AssertVerdictAsync(bytes, ReasonCodes.Malformed);
        Assert.Contains("deposit.reference is not valid UTF-8", utf8.Message);
        await AssertStillServingAsync();
    }

    private async Task<SubmitTransactionResponse> AssertVerdictAsync(byte[] envelope, string code)
    {
        var verdict = await Channel.SubmitAsync(envelope);
        Assert.False(verdict.Accepted, $"the mempool accepted a transaction it should refuse with {code}");
        Assert.True(code == verdict.Code, $"expected {code}, got {verdict.Code}: {verdict.Message}");
        return verdict;
    }

    private async Task<SubmitTransactionResponse> AssertVerdictAsync(Transaction tx, string code)
    {
        var verdict = await Channel.SubmitAsync(tx);
        Assert.False(verdict.Accepted, $"the mempool accepted a transaction it should refuse with {code}");
        Assert.True(code == verdict.Code, $"expected {code}, got {verdict.Code}: {verdict.Message}");
        Assert.NotEmpty(verdict.Message);
        return verdict;
    }

    private async Task AssertStillServingAsync()
    {
        Assert.False(fixture.Node.HasExited, $"p2pe-node exited\n{fixture.Node.LogTail()}");
        var status = await Channel.StatusAsync();
        Assert.Equal(LedgerHarness.ChainId, status.ChainId);
        Assert.Equal(ReasonCodes.Ok, (await Channel.CommitAsync(fixture.GoodTransaction())).Result.Code);
    }
}
