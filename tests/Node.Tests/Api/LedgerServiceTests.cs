using System.Text;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using Grpc.Core;
using Grpc.Net.Client;
using P2PEnergy.Contracts.Api;
using P2PEnergy.Node.Api;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Tests.Ledger;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Api;

/// <summary>
/// LedgerService's request handling without the wire: paging (limit, page_token), filters and the
/// INVALID_ARGUMENT / NOT_FOUND answers the proto comments promise. State is written straight into the store so
/// a page boundary can be placed exactly where a test wants it.
/// </summary>
public sealed class LedgerServiceTests
{
    private readonly TestNode _node = new();
    private readonly LedgerService _service;

    public LedgerServiceTests()
    {
        _service = new LedgerService(_node.Store, _node.Mempool, _node.Engine, _node.Chain.Parameters, _node.Chain.Validator.Address);
    }

    private static ServerCallContext Call(string method) => new TestCallContext($"/p2pe.v1.Ledger/{method}", CancellationToken.None);

    private LedgerHarness Chain => _node.Chain;

    private static ByteString Bytes(Address address) => ByteString.CopyFrom(address.Bytes);

    /// <summary>Commits one block whose state changes are the given records (sorted, as the store requires).</summary>
    private void CommitState(IEnumerable<StateChange> changes)
    {
        var sorted = changes.OrderBy(c => c.Key, StringComparer.Ordinal).ToList();
        var block = new Block { Header = new BlockHeader { ChainId = LedgerHarness.ChainId, Height = _node.Store.Height + 1 } };
        _node.Store.Commit(block, Hash32.Zero, [], sorted, Hash32.Zero);
    }

    /// <summary>
    /// <paramref name="count"/> contracts, alternating Alice→Bob and Bob→Carol, with their party index entries;
    /// contract i runs for i + 1 intervals from the harness's next-but-one interval. Returns them in key order.
    /// </summary>
    private List<ContractState> SeedContracts(int count)
    {
        var contracts = new List<ContractState>();
        var changes = new List<StateChange>();
        for (int i = 0; i < count; i++)
        {
            var (seller, buyer) = i % 2 == 0 ? (Chain.Alice, Chain.Bob) : (Chain.Bob, Chain.Carol);
            var id = Keccak256.Hash(Encoding.ASCII.GetBytes($"contract-{i}"));
            var contract = new ContractState
            {
                Id = ByteString.CopyFrom(id.Bytes),
                Terms = new EnergyContract { Seller = Bytes(seller.Address), Buyer = Bytes(buyer.Address), IntervalStart = Chain.IntervalAhead(2), IntervalCount = (uint)i + 1, WhPerInterval = 100, Nonce = (ulong)i },
                Height = 1,
            };
            contracts.Add(contract);
            changes.Add(new(StateKeys.Contract(id), contract.ToByteArray()));
            // As ContractAdmission writes them: by where the contract committed (height 1, position i), holding the id.
            changes.Add(new(StateKeys.ContractByParty(seller.Address, 1, i), id.ToArray()));
            changes.Add(new(StateKeys.ContractByParty(buyer.Address, 1, i), id.ToArray()));
        }
        CommitState(changes);
        return contracts.OrderBy(c => StateKeys.Contract(Hash32.FromBytes(c.Id.Span)), StringComparer.Ordinal).ToList();
    }

    private async Task<List<ContractState>> ListAllAsync(ListContractsRequest first)
    {
        var all = new List<ContractState>();
        var request = first.Clone();
        for (int pages = 0; ; pages++)
        {
            Assert.True(pages < 1000, "page tokens never ran out");
            var page = await _service.ListContracts(request, Call("ListContracts"));
            Assert.True(page.Contracts.Count <= (request.Limit == 0 ? 100 : (int)request.Limit));
            all.AddRange(page.Contracts);
            if (page.NextPageToken.IsEmpty) return all;
            Assert.NotEmpty(page.Contracts);
            request.PageToken = page.NextPageToken;
        }
    }

    [Fact]
    public async Task ListContracts_AcrossPages_ReturnsEveryContractOnce_InKeyOrder()
    {
        var seeded = SeedContracts(11);

        var pages = new List<int>();
        var request = new ListContractsRequest { Limit = 4 };
        while (true)
        {
            var page = await _service.ListContracts(request, Call("ListContracts"));
            pages.Add(page.Contracts.Count);
            if (page.NextPageToken.IsEmpty) break;
            request.PageToken = page.NextPageToken;
        }
        Assert.Equal([4, 4, 3], pages);
        Assert.Equal(seeded.Select(c => c.Id), (await ListAllAsync(new ListContractsRequest { Limit = 4 })).Select(c => c.Id));
    }

    [Fact]
    public async Task ListContracts_PageExactlyFull_HasNoNextToken()
    {
        var seeded = SeedContracts(6);
        var page = await _service.ListContracts(new ListContractsRequest { Limit = 6 }, Call("ListContracts"));
        Assert.Equal(seeded.Select(c => c.Id), page.Contracts.Select(c => c.Id));
        Assert.True(page.NextPageToken.IsEmpty);
    }

    [Fact]
    public async Task ListContracts_ByParty_PagesThroughItsIndex_InCommitOrder()
    {
        var seeded = SeedContracts(9);
        var bob = seeded.Where(c => c.Terms.Seller == Bytes(Chain.Bob.Address) || c.Terms.Buyer == Bytes(Chain.Bob.Address)).ToList();
        var alice = seeded.Where(c => c.Terms.Seller == Bytes(Chain.Alice.Address)).ToList();

        // SeedContracts commits contract i at position i (its nonce): a party's listing is in that order, not by id.
        Assert.Equal(bob.OrderBy(c => c.Terms.Nonce).Select(c => c.Id), (await ListAllAsync(new ListContractsRequest { Party = Bytes(Chain.Bob.Address), Limit = 2 })).Select(c => c.Id));
        Assert.Equal(alice.OrderBy(c => c.Terms.Nonce).Select(c => c.Id), (await ListAllAsync(new ListContractsRequest { Party = Bytes(Chain.Alice.Address), Limit = 2 })).Select(c => c.Id));
        Assert.Empty(await ListAllAsync(new ListContractsRequest { Party = Bytes(Chain.Stranger.Address) }));
    }

    [Fact]
    public async Task ListContracts_FromInterval_KeepsOnlyContractsStillRunning()
    {
        var seeded = SeedContracts(5);
        // Contract i ends (i + 1) intervals after its start: from the start of the third interval on, i >= 2 remain.
        ulong from = Chain.IntervalAhead(2) + 2 * LedgerHarness.Interval;
        var running = await ListAllAsync(new ListContractsRequest { FromInterval = from, Limit = 1 });
        Assert.Equal(seeded.Where(c => c.Terms.IntervalCount > 2).Select(c => c.Id), running.Select(c => c.Id));
    }

    [Fact]
    public async Task ListContracts_LimitZero_UsesTheDefaultOf100()
    {
        var seeded = SeedContracts(101);
        var page = await _service.ListContracts(new ListContractsRequest(), Call("ListContracts"));
        Assert.Equal(seeded.Take(100).Select(c => c.Id), page.Contracts.Select(c => c.Id));
        Assert.False(page.NextPageToken.IsEmpty);
        var rest = await _service.ListContracts(new ListContractsRequest { PageToken = page.NextPageToken }, Call("ListContracts"));
        Assert.Equal(seeded[100].Id, Assert.Single(rest.Contracts).Id);
    }

    [Fact]
    public async Task ListContracts_LimitAtMost1000_IsAccepted()
        => Assert.Empty((await _service.ListContracts(new ListContractsRequest { Limit = 1000 }, Call("ListContracts"))).Contracts);

    [Theory]
    [InlineData(1001u)]
    [InlineData(uint.MaxValue)]
    public async Task ListContracts_LimitOver1000_IsInvalidArgument_NamingTheField(uint limit)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _service.ListContracts(new ListContractsRequest { Limit = limit }, Call("ListContracts")));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("limit", error.Status.Detail);
    }

    [Fact]
    public async Task GetOffers_LimitOver1000_IsInvalidArgument_NamingTheField()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _service.GetOffers(new GetOffersRequest { Limit = 1001 }, Call("GetOffers")));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("limit", error.Status.Detail);
    }

    [Fact]
    public async Task ListContracts_PageTokenNotUtf8_IsInvalidArgument()
    {
        SeedContracts(3);
        var error = await Assert.ThrowsAsync<RpcException>(() => _service.ListContracts(new ListContractsRequest { PageToken = ByteString.CopyFrom(0xff, 0xfe, 0x00) }, Call("ListContracts")));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("page_token", error.Status.Detail);
    }

    public static TheoryData<string> ForeignTokens => new()
    {
        "not-a-token",
        // An offer listing's token handed to the contract listing.
        StateKeys.Offer(Hash32.Zero),
        // A party listing's token (party/...) handed to the unfiltered listing: it sorts before every
        // contract/ key, so accepting it would silently restart from the first page.
        StateKeys.ContractByParty(new LedgerHarness().Alice.Address, 1, 0),
    };

    [Theory]
    [MemberData(nameof(ForeignTokens))]
    public async Task ListContracts_PageTokenThisListingDidNotIssue_IsInvalidArgument(string token)
    {
        SeedContracts(3);
        var error = await Assert.ThrowsAsync<RpcException>(() => _service.ListContracts(new ListContractsRequest { PageToken = ByteString.CopyFromUtf8(token) }, Call("ListContracts")));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("page_token", error.Status.Detail);
    }

    [Fact]
    public async Task ListContracts_PartyTokenForAnotherParty_IsInvalidArgument()
    {
        SeedContracts(6);
        var alicePage = await _service.ListContracts(new ListContractsRequest { Party = Bytes(Chain.Alice.Address), Limit = 1 }, Call("ListContracts"));
        Assert.False(alicePage.NextPageToken.IsEmpty);
        var error = await Assert.ThrowsAsync<RpcException>(() => _service.ListContracts(new ListContractsRequest { Party = Bytes(Chain.Carol.Address), PageToken = alicePage.NextPageToken }, Call("ListContracts")));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task GetOffers_PageTokenNotUtf8_IsInvalidArgument()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _service.GetOffers(new GetOffersRequest { PageToken = ByteString.CopyFrom(0xc3) }, Call("GetOffers")));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("page_token", error.Status.Detail);
    }

    [Fact]
    public async Task GetOffers_IncludeClosed_ShowsCancelledAndFullyTakenOffers_OtherwiseOnlyOpenOnes()
    {
        OfferState Offer(int n, bool cancelled, ulong remaining) => new()
        {
            Id = ByteString.CopyFrom(Keccak256.Hash(Encoding.ASCII.GetBytes($"offer-{n}")).Bytes),
            Terms = new Offer { Maker = Bytes(Chain.Alice.Address), Meter = "MTR-A", Sell = true, WhPerInterval = 500, Nonce = (ulong)n },
            Cancelled = cancelled, RemainingWhPerInterval = remaining, Height = 1,
        };
        var open = Offer(1, cancelled: false, remaining: 500);
        var partlyTaken = Offer(2, cancelled: false, remaining: 200);
        var cancelled = Offer(3, cancelled: true, remaining: 500);
        var taken = Offer(4, cancelled: false, remaining: 0);
        var all = new[] { open, partlyTaken, cancelled, taken }.OrderBy(o => StateKeys.Offer(Hash32.FromBytes(o.Id.Span)), StringComparer.Ordinal).ToList();
        CommitState(all.Select(o => new StateChange(StateKeys.Offer(Hash32.FromBytes(o.Id.Span)), o.ToByteArray())));

        var openOnly = await _service.GetOffers(new GetOffersRequest(), Call("GetOffers"));
        Assert.Equal(all.Where(o => o == open || o == partlyTaken).Select(o => o.Id), openOnly.Offers.Select(o => o.Id));

        var everything = new List<OfferState>();
        var request = new GetOffersRequest { IncludeClosed = true, Limit = 3 };
        while (true)
        {
            var page = await _service.GetOffers(request, Call("GetOffers"));
            everything.AddRange(page.Offers);
            if (page.NextPageToken.IsEmpty) break;
            request.PageToken = page.NextPageToken;
        }
        Assert.Equal(all.Select(o => o.Id), everything.Select(o => o.Id));
    }

    [Fact]
    public async Task GetBlock_FutureHeight_IsNotFound()
    {
        Assert.NotNull(_node.CommitNext());
        var error = await Assert.ThrowsAsync<RpcException>(() => _service.GetBlock(new GetBlockRequest { Height = _node.Store.Height + 1 }, Call("GetBlock")));
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => _service.GetBlock(new GetBlockRequest { Height = ulong.MaxValue }, Call("GetBlock")))).StatusCode);
        Assert.Equal(_node.Store.Height, (await _service.GetBlock(new GetBlockRequest(), Call("GetBlock"))).Header.Height);
    }

    [Fact]
    public async Task GetBlock_Latest_BeforeTheFirstBlock_IsNotFound()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _service.GetBlock(new GetBlockRequest(), Call("GetBlock")));
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(19)]
    [InlineData(21)]
    [InlineData(32)]
    public async Task GetAccount_AddressNot20Bytes_IsInvalidArgument_NamingTheField(int length)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _service.GetAccount(new GetAccountRequest { Address = ByteString.CopyFrom(new byte[length]) }, Call("GetAccount")));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("address", error.Status.Detail);
    }

    [Fact]
    public async Task ListContracts_PartyNot20Bytes_IsInvalidArgument_NamingTheField()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _service.ListContracts(new ListContractsRequest { Party = ByteString.CopyFrom(new byte[19]) }, Call("ListContracts")));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("party", error.Status.Detail);
    }

    [Fact]
    public async Task SubmitTransaction_WithoutTransaction_IsInvalidArgument_NamingTheField()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _service.SubmitTransaction(new SubmitTransactionRequest(), Call("SubmitTransaction")));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("transaction", error.Status.Detail);
    }

    [Fact]
    public async Task SubmitTransactions_EachEnvelopeGetsTheVerdictItWouldGetAlone_InRequestOrder()
    {
        var good = LedgerHarness.Envelope(Chain.Contract(Chain.Alice, Chain.Bob, nonce: 1), Chain.Alice, Chain.Bob);
        var foreign = LedgerHarness.Envelope(Chain.Contract(Chain.Alice, Chain.Bob, nonce: 2), LedgerHarness.ChainId + 1, Chain.Alice, Chain.Bob);
        var second = LedgerHarness.Envelope(Chain.Contract(Chain.Alice, Chain.Bob, nonce: 3), Chain.Alice, Chain.Bob);
        var request = new SubmitTransactionsRequest { Transactions = { good.ToByteString(), foreign.ToByteString(), good.ToByteString(), second.ToByteString() } };

        var response = await _service.SubmitTransactions(request, Call("SubmitTransactions"));

        Assert.Equal(["OK", "WRONG_CHAIN", "DUPLICATE", "OK"], response.Verdicts.Select(v => v.Code));
        Assert.Equal([true, false, false, true], response.Verdicts.Select(v => v.Accepted));
        Assert.Equal(response.Verdicts[0].TransactionId, response.Verdicts[2].TransactionId);
        // Each verdict names its envelope's id (wrapped from the mempool's hash, not copied).
        Assert.Equal(request.Transactions.Select(t => Contracts.Ledger.TransactionId.Of(t.Span).ToString()),
            response.Verdicts.Select(v => Hash32.FromBytes(v.TransactionId.Span).ToString()));
        Assert.Equal(2, _node.Mempool.Count);
        // The same verdicts as one call each.
        var alone = await _service.SubmitTransaction(new SubmitTransactionRequest { Transaction = foreign.ToByteString() }, Call("SubmitTransaction"));
        Assert.Equal(response.Verdicts[1], alone);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(LedgerService.MaxBatch + 1)]
    public async Task SubmitTransactions_CountOutside1To1000_IsInvalidArgument_NamingCountAndLimit(int count)
    {
        var envelope = LedgerHarness.Envelope(Chain.Contract(Chain.Alice, Chain.Bob, nonce: 1), Chain.Alice, Chain.Bob);
        var request = new SubmitTransactionsRequest();
        for (int i = 0; i < count; i++) request.Transactions.Add(envelope.ToByteString());
        var error = await Assert.ThrowsAsync<RpcException>(() => _service.SubmitTransactions(request, Call("SubmitTransactions")));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains($"1 to {LedgerService.MaxBatch}", error.Status.Detail);
        Assert.Contains($"got {count}", error.Status.Detail);
        Assert.Equal(0, _node.Mempool.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public async Task WatchTransaction_IdNot32Bytes_IsInvalidArgument_BeforeAnyStatus(int length)
    {
        var written = new CollectingWriter<TransactionStatus>();
        var error = await Assert.ThrowsAsync<RpcException>(() => _service.WatchTransaction(new WatchTransactionRequest { TransactionId = ByteString.CopyFrom(new byte[length]) }, written, Call("WatchTransaction")));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("transaction_id", error.Status.Detail);
        Assert.Empty(written.Messages);
    }

    private sealed class CollectingWriter<T> : IServerStreamWriter<T>
    {
        public List<T> Messages { get; } = [];
        public Task WriteAsync(T message) { Messages.Add(message); return Task.CompletedTask; }
        public Task WriteAsync(T message, CancellationToken cancellationToken) => WriteAsync(message);
        public WriteOptions? WriteOptions { get; set; }
    }

    [Fact]
    public async Task GetNodeStatus_PublishesTheMarketParameters_ClientsNeed()
    {
        var status = await _service.GetNodeStatus(new GetNodeStatusRequest(), Call("GetNodeStatus"));
        var p = Chain.Parameters;
        Assert.Equal((p.IntervalSeconds, p.GateClosureSeconds, p.ReadingWindowSeconds, p.Currency, (uint)p.CurrencyDecimals, p.MaxIntervalCount),
            (status.IntervalSeconds, status.GateClosureSeconds, status.ReadingWindowSeconds, status.Currency, status.CurrencyDecimals, status.MaxIntervalCount));
        Assert.Equal((900UL, 300UL), (status.IntervalSeconds, status.GateClosureSeconds));
    }

    [Fact]
    public async Task GetMeter_ListMeters_ReadTheRegisteredMeters_AndAnUnknownOneIsUnknownMeter()
    {
        var meter = await _service.GetMeter(new GetMeterRequest { Meter = "MTR-A" }, Call("GetMeter"));
        Assert.Equal(Bytes(Chain.Alice.Address), meter.Owner);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => _service.GetMeter(new GetMeterRequest { Meter = "MTR-Z" }, Call("GetMeter")));
        Assert.Equal((StatusCode.NotFound, ApiReasons.UnknownMeter.Code), (unknown.StatusCode, NodeRefusal.Of(unknown).Code));
        var empty = await Assert.ThrowsAsync<RpcException>(() => _service.GetMeter(new GetMeterRequest(), Call("GetMeter")));
        Assert.Equal(ApiReasons.InvalidField.Code, NodeRefusal.Of(empty).Code);

        Assert.Equal(["MTR-B"], (await _service.ListMeters(new ListMetersRequest { Owner = Bytes(Chain.Bob.Address) }, Call("ListMeters"))).Meters.Select(m => m.Meter));
        Assert.Empty((await _service.ListMeters(new ListMetersRequest { Owner = Bytes(Chain.Carol.Address) }, Call("ListMeters"))).Meters);
        var bad = await Assert.ThrowsAsync<RpcException>(() => _service.ListMeters(new ListMetersRequest { Owner = ByteString.CopyFrom(1, 2) }, Call("ListMeters")));
        Assert.Contains("owner must be a 20-byte address, got 2 bytes", bad.Message);
    }

    [Fact]
    public async Task ListDelegators_ReadsTheAggregatorsIndex_AsAccounts()
    {
        CommitState([new(StateKeys.Delegator(Chain.Aggregator.Address, Chain.Bob.Address), []), new(StateKeys.Delegator(Chain.Aggregator.Address, Chain.Alice.Address), [])]);
        var delegators = await _service.ListDelegators(new ListDelegatorsRequest { Aggregator = Bytes(Chain.Aggregator.Address) }, Call("ListDelegators"));
        Assert.Equal(new[] { Chain.Alice.Address, Chain.Bob.Address }.OrderBy(a => a.ToLowerHex(), StringComparer.Ordinal).Select(Bytes), delegators.Accounts.Select(a => a.Address));
        Assert.Equal(["Alice", "Bob"], delegators.Accounts.Select(a => a.Name).Order());
        Assert.Empty((await _service.ListDelegators(new ListDelegatorsRequest { Aggregator = Bytes(Chain.Alice.Address) }, Call("ListDelegators"))).Accounts);
    }

    [Fact]
    public async Task GetContract_FindsOneById_AndAnUnknownIdIsUnknownContract()
    {
        var contracts = SeedContracts(3);
        var found = await _service.GetContract(new GetContractRequest { Id = contracts[1].Id }, Call("GetContract"));
        Assert.Equal(contracts[1].Terms, found.Terms);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => _service.GetContract(new GetContractRequest { Id = ByteString.CopyFrom(new byte[32]) }, Call("GetContract")));
        Assert.Equal((StatusCode.NotFound, ApiReasons.UnknownContract.Code), (unknown.StatusCode, NodeRefusal.Of(unknown).Code));
        var malformed = await Assert.ThrowsAsync<RpcException>(() => _service.GetContract(new GetContractRequest { Id = ByteString.CopyFrom(1) }, Call("GetContract")));
        Assert.Contains("id must be 32 bytes, got 1", malformed.Message);
    }

    [Fact]
    public async Task QuoteContract_PricesAsCommitWould_AtTheGenesisFees_AndTheBuyersEscrow()
    {
        var terms = Chain.Contract(Chain.Alice, Chain.Bob);
        var quote = await _service.QuoteContract(terms, Call("QuoteContract"));
        // 2,000 Wh × 2 intervals at 200,000 per kWh; DMO 1,000 + 2,000 × 4 kWh split 50/50; grid (no model) 10,000 × 4 kWh.
        Assert.Equal((400_000UL, 800_000UL, 4_500UL, 4_500UL, 40_000UL, "AcrossSubstations", 844_500UL),
            (quote.PaymentPerInterval, quote.Payment, quote.DmoFeeBuyer, quote.DmoFeeSeller, quote.GridFee, quote.PathLevel, quote.BuyerEscrow));
        // The same numbers the ledger locks when the contract commits.
        var committed = Chain.One(LedgerHarness.Envelope(terms, Chain.Alice, Chain.Bob));
        Assert.Equal(Contracts.Ledger.ReasonCodes.Ok, committed.Code);
        var contract = ContractState.Parser.ParseFrom(Chain.State.Get(StateKeys.Contract(Hash32.FromBytes(committed.PayloadId.Span)))!);
        Assert.Equal((contract.Payment, contract.DmoFeeBuyer, contract.GridFee), (quote.Payment, quote.DmoFeeBuyer, quote.GridFee));

        var unknown = terms.Clone(); unknown.BuyerMeter = "MTR-Z";
        Assert.Equal(ApiReasons.UnknownMeter.Code, NodeRefusal.Of(await Assert.ThrowsAsync<RpcException>(() => _service.QuoteContract(unknown, Call("QuoteContract")))).Code);
        var empty = terms.Clone(); empty.IntervalCount = 0;
        Assert.Equal(ApiReasons.InvalidField.Code, NodeRefusal.Of(await Assert.ThrowsAsync<RpcException>(() => _service.QuoteContract(empty, Call("QuoteContract")))).Code);
        var absurd = terms.Clone(); absurd.PricePerKwh = ulong.MaxValue; absurd.WhPerInterval = ulong.MaxValue;
        Assert.Contains("more than the largest amount the ledger holds", (await Assert.ThrowsAsync<RpcException>(() => _service.QuoteContract(absurd, Call("QuoteContract")))).Message);
    }
}
