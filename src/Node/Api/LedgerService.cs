using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using P2PEnergy.Contracts.Api;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.Ledger.Kernel;
using P2PEnergy.Node.Market;
using P2PEnergy.Node.ProcessState;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Storage;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Node.Api;

/// <summary>
/// Service <c>p2pe.v1.Ledger</c>: what wallets, bots and explorers call. Reads come from the store, writes go
/// through the mempool; a bad request field is INVALID_ARGUMENT naming the field. An observer (no
/// <paramref name="validator"/> key) serves every read and refuses writes with READ_ONLY_NODE.
/// </summary>
public sealed class LedgerService(ILedgerStore store, Mempool mempool, IConsensusEngine engine, ChainParameters parameters, Address? validator,
    Anchoring.AnchorMonitor? anchor = null,
    NodeReadiness? readiness = null, Consensus.ConsensusProgress? progress = null, Network.PeerCount? peers = null)
    : Contracts.Protos.Ledger.LedgerBase
{
    private const uint DefaultLimit = 100, MaxLimit = 1000;

    private readonly LatestBlock _latest = new(engine.Feed);

    /// <summary>Transactions one SubmitTransactions call may carry.</summary>
    public const int MaxBatch = 1000;

    public override Task<SubmitTransactionResponse> SubmitTransaction(SubmitTransactionRequest request, ServerCallContext context)
    {
        RequireWritable();
        if (request.Transaction.IsEmpty) throw Invalid("transaction is required");
        return Task.FromResult(Verdict(mempool.Submit(Submitted(request.Transaction))));
    }

    public override Task<SubmitTransactionsResponse> SubmitTransactions(SubmitTransactionsRequest request, ServerCallContext context)
    {
        RequireWritable();
        if (request.Transactions.Count is 0 or > MaxBatch)
            throw Refusal.Of(ApiReasons.BatchSize, $"transactions must hold 1 to {MaxBatch} envelopes, got {request.Transactions.Count}");
        var submitted = new byte[request.Transactions.Count][];
        for (int i = 0; i < submitted.Length; i++) submitted[i] = Submitted(request.Transactions[i]);
        var response = new SubmitTransactionsResponse();
        var verdicts = mempool.Submit(submitted);
        response.Verdicts.Capacity = verdicts.Count;
        for (int i = 0; i < verdicts.Count; i++) response.Verdicts.Add(Verdict(verdicts[i]));
        return Task.FromResult(response);
    }

    // An observer follows the chain and proposes nothing: a transaction submitted to it would wait in a mempool no
    // proposer reads. It says so at once instead, so the client submits to a validator.
    private void RequireWritable()
    {
        if (validator is null)
            throw Refusal.Of(ApiReasons.ReadOnlyNode, "this node is an observer (Node:Observer): it serves reads only; submit transactions to a validator's API");
    }

    /// <summary>
    /// The submitted bytes as the array the mempool keeps. The parser gives each bytes field an array of its own and a
    /// ByteString is never written to, so that array is taken as it is rather than copied (once per transaction).
    /// </summary>
    private static byte[] Submitted(ByteString envelope)
        => MemoryMarshal.TryGetArray(envelope.Memory, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : envelope.ToByteArray();

    // The id is wrapped, not copied: a Hash32 and a ByteString are both immutable (one verdict per submitted transaction).
    private static SubmitTransactionResponse Verdict(MempoolVerdict verdict) => new()
    {
        TransactionId = UnsafeByteOperations.UnsafeWrap(verdict.TransactionId.Memory), Accepted = verdict.Accepted, Code = verdict.Code, Message = verdict.Message,
    };

    public override async Task WatchTransaction(WatchTransactionRequest request, IServerStreamWriter<TransactionStatus> stream, ServerCallContext context)
    {
        var id = HashField(request.TransactionId, "transaction_id");
        var idBytes = request.TransactionId;
        bool pendingSent = false;
        while (true)
        {
            // Snapshot the height first: a commit after the checks below then still wakes the wait.
            ulong height = engine.Feed.Height;
            var committed = store.FindTransaction(id);
            // The engine stores a block before it drops its transactions from the mempool, so a mempool miss is
            // re-checked against the store before the transaction counts as never seen. The mempool is asked once:
            // asking again below could see the transaction gone (committed after the store read) and report a
            // committed transaction as Unknown.
            bool pending = committed is null && mempool.Contains(id);
            if (committed is null && !pending) committed = store.FindTransaction(id);
            if (committed is { } found)
            {
                await stream.WriteAsync(new TransactionStatus
                {
                    TransactionId = idBytes, State = TransactionStatus.Types.State.Committed, Height = found.Height, Result = found.Result,
                    Finality = CommitFinality.Of(store, parameters, found.Height),
                });
                return;
            }
            if (!pending && validator is null)
            {
                // An observer holds no mempool: not committed yet says nothing about whether it will be. It waits.
                if (!pendingSent) await stream.WriteAsync(new TransactionStatus { TransactionId = idBytes, State = TransactionStatus.Types.State.Unknown });
                pendingSent = true;
                await engine.Feed.WaitForHeightAsync(height + 1, context.CancellationToken);
                continue;
            }
            if (!pending)
            {
                if (!pendingSent) await stream.WriteAsync(new TransactionStatus { TransactionId = idBytes, State = TransactionStatus.Types.State.Unknown });
                else throw Refusal.Of(ApiReasons.LeftMempool, $"transaction {id} left the mempool without committing");
                return;
            }
            if (!pendingSent)
            {
                await stream.WriteAsync(new TransactionStatus { TransactionId = idBytes, State = TransactionStatus.Types.State.Pending });
                pendingSent = true;
            }
            await engine.Feed.WaitForHeightAsync(height + 1, context.CancellationToken);
        }
    }

    public override Task<AccountState> GetAccount(GetAccountRequest request, ServerCallContext context)
    {
        var address = AddressField(request.Address, "address");
        return store.Get(StateKeys.Account(address)) is { } bytes
            ? Task.FromResult(AccountState.Parser.ParseFrom(bytes.AsSpan()))
            : throw Refusal.Of(ApiReasons.UnknownAccount, $"account {address} does not exist");
    }

    public override Task<ListContractsResponse> ListContracts(ListContractsRequest request, ServerCallContext context)
    {
        uint limit = Limit(request.Limit, "limit");
        // With a party, walk its index (party/<party>/<height>/<position> → id, in commit order) instead of every contract on the ledger.
        string prefix = request.Party.IsEmpty ? StateKeys.ContractPrefix : StateKeys.ContractByPartyScan(AddressField(request.Party, "party"));
        string? after = PageToken(request.PageToken, prefix);
        var keys = request.Party.IsEmpty
            ? store.Scan(prefix).Select(kv => (kv.Key, Value: (byte[]?)kv.Value))
            : store.Scan(prefix).Select(kv => (kv.Key, Value: kv.Value.Length == 32 ? store.Get(StateKeys.Contract(Hash32.FromBytes(kv.Value))) : null));
        var response = new ListContractsResponse();
        var contracts = keys.Select(k => (k.Key, Item: k.Value is null ? null : ContractState.Parser.ParseFrom(k.Value.AsSpan())));
        response.Contracts.AddRange(Page(contracts, after, limit, c => request.FromInterval == 0
            || c.Terms.IntervalStart + (ulong)c.Terms.IntervalCount * parameters.IntervalSeconds > request.FromInterval, out var next));
        response.NextPageToken = next;
        foreach (var contract in response.Contracts)
            contract.SettledIntervals = Market.Settlement.SettlementProgress.SettledIntervals(store, contract, parameters.IntervalSeconds);
        return Task.FromResult(response);
    }

    public override Task<GetOffersResponse> GetOffers(GetOffersRequest request, ServerCallContext context)
    {
        uint limit = Limit(request.Limit, "limit");
        string? after = PageToken(request.PageToken, StateKeys.OfferPrefix);
        var offers = store.Scan(StateKeys.OfferPrefix).Select(kv => (kv.Key, Item: (OfferState?)OfferState.Parser.ParseFrom(kv.Value.AsSpan())));
        var response = new GetOffersResponse();
        response.Offers.AddRange(Page(offers, after, limit, o => request.IncludeClosed || (!o.Cancelled && o.RemainingWhPerInterval > 0), out var next));
        response.NextPageToken = next;
        return Task.FromResult(response);
    }

    public override Task<Block> GetBlock(GetBlockRequest request, ServerCallContext context)
    {
        ulong height = request.Height == 0 ? store.Height : request.Height;
        return store.GetBlock(height) is { } block
            ? Task.FromResult(block)
            : throw Refusal.Of(ApiReasons.UnknownBlock, request.Height == 0 ? "no block has been committed yet" : $"block {request.Height} does not exist; the latest is {store.Height}");
    }

    public override async Task StreamBlocks(StreamBlocksRequest request, IServerStreamWriter<Block> stream, ServerCallContext context)
    {
        ulong height = Math.Max(1, request.FromHeight);
        while (!context.CancellationToken.IsCancellationRequested)
        {
            // The tip from memory (what the store would return: the block as committed), any older height from the store.
            if ((_latest.At(height) ?? store.GetBlock(height)) is { } block)
            {
                await stream.WriteAsync(block);
                height++;
            }
            else
            {
                await engine.Feed.WaitForHeightAsync(height, context.CancellationToken);
            }
        }
    }

    public override Task<NodeStatus> GetNodeStatus(GetNodeStatusRequest request, ServerCallContext context)
    {
        ulong height = store.Height;
        var (ready, why) = readiness?.Check() ?? (true, "no readiness check in this host");
        var signers = store.GetBlock(height)?.Commit?.Signatures.Select(s => Address.FromBytes(s.Validator.Span)).ToHashSet() ?? [];
        var status = new NodeStatus
        {
            ChainId = parameters.ChainId, MarketName = parameters.MarketName, Height = height,
            LastBlockHash = ByteString.CopyFrom(store.LastBlockHash.Bytes), AppHash = ByteString.CopyFrom(store.AppHash.Bytes),
            LastBlockTimeMs = engine.LastBlockTimeMs, MempoolSize = (uint)mempool.Count,
            Validator = validator is { } key ? ByteString.CopyFrom(key.Bytes) : ByteString.Empty, Secp256K1Backend = Secp256k1.Description,
            Version = typeof(LedgerService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
            Anchor = anchor?.Snapshot(),
            Ready = ready, Readiness = why,
            LastSettledInterval = Market.Settlement.SettlementProgress.LastSettledInterval(store, parameters.IntervalSeconds) ?? 0,
            IntervalSeconds = parameters.IntervalSeconds, GateClosureSeconds = parameters.GateClosureSeconds, ReadingWindowSeconds = parameters.ReadingWindowSeconds,
            Currency = parameters.Currency, CurrencyDecimals = (uint)parameters.CurrencyDecimals, MaxIntervalCount = parameters.MaxIntervalCount,
            // The round counts for the height in progress only: a node that has not started it yet reports 0.
            Round = progress is { } p && p.Height == height + 1 ? (uint)p.Round : 0, Peers = (uint)(peers?.Connected ?? 0),
        };
        var inForce = Consensus.ValidatorSets.ValidatorSchedule.InForce(store, parameters, height + 1);
        status.Role = validator is not { } self ? NodeRoles.Observer : inForce.Any(v => v.Address == self) ? NodeRoles.Validator : NodeRoles.Standby;
        foreach (var v in inForce)
            status.Validators.Add(new ValidatorStatus
            {
                Address = ByteString.CopyFrom(v.Address.Bytes), Power = (ulong)v.Power, Operator = v.Operator, Role = v.Role, SignedLastBlock = signers.Contains(v.Address),
            });
        return Task.FromResult(status);
    }

    public override Task<ContractProof> GetContractProof(GetContractProofRequest request, ServerCallContext context)
        => Task.FromResult(ContractProofBuilder.Build(store, parameters, HashField(request.ContractId, "contract_id"), request.ToHeight,
            anchor?.LastAnchored ?? 0, anchor?.Contract ?? ""));

    public override Task<MeterState> GetMeter(GetMeterRequest request, ServerCallContext context) => Task.FromResult(Meter(request.Meter, "meter"));

    public override Task<ListMetersResponse> ListMeters(ListMetersRequest request, ServerCallContext context)
    {
        var owner = AddressField(request.Owner, "owner");
        var response = new ListMetersResponse();
        foreach (var (key, _) in store.Scan(StateKeys.MeterByOwnerScan(owner)))
            if (store.Get(StateKeys.Meter(key[StateKeys.MeterByOwnerScan(owner).Length..])) is { } bytes) response.Meters.Add(MeterState.Parser.ParseFrom(bytes.AsSpan()));
        return Task.FromResult(response);
    }

    public override Task<ListDelegatorsResponse> ListDelegators(ListDelegatorsRequest request, ServerCallContext context)
    {
        var aggregator = AddressField(request.Aggregator, "aggregator");
        var prefix = StateKeys.DelegatorScan(aggregator);
        var response = new ListDelegatorsResponse();
        foreach (var (key, _) in store.Scan(prefix))
            if (store.Get(StateKeys.Account(Address.Parse(key[prefix.Length..]))) is { } bytes) response.Accounts.Add(AccountState.Parser.ParseFrom(bytes.AsSpan()));
        return Task.FromResult(response);
    }

    public override Task<ContractState> GetContract(GetContractRequest request, ServerCallContext context)
    {
        var id = HashField(request.Id, "id");
        var contract = store.Get(StateKeys.Contract(id)) is { } bytes ? ContractState.Parser.ParseFrom(bytes.AsSpan())
            : throw Refusal.Of(ApiReasons.UnknownContract, $"no committed contract has id {id}");
        contract.SettledIntervals = Market.Settlement.SettlementProgress.SettledIntervals(store, contract, parameters.IntervalSeconds);
        return Task.FromResult(contract);
    }

    public override Task<ContractQuote> QuoteContract(EnergyContract request, ServerCallContext context)
    {
        ulong height = store.Height;
        if (request.IntervalCount == 0 || request.WhPerInterval == 0) throw Invalid($"interval_count and wh_per_interval must be > 0, got {request.IntervalCount} and {request.WhPerInterval}");
        var seller = Meter(request.SellerMeter, "seller_meter");
        var buyer = Meter(request.BuyerMeter, "buyer_meter");
        // The path level as the grid check finds it at commit: from the model in force for the first interval.
        var state = new StateOverlay(store, DecodedStateCache.Process); // the node's memo of parsed models and fee histories
        var model = InstalledModels.At(state, request.IntervalStart);
        var level = model is null ? PathLevel.AcrossSubstations : model.Level(FlowBookBuilder.Point(seller, model).Node, FlowBookBuilder.Point(buyer, model).Node);
        ContractCosts costs;
        try
        {
            costs = ContractPricing.Price(FeeSchedule.DmoAt(state, request.IntervalStart), FeeSchedule.GridAt(state, request.IntervalStart),
                level, request.WhPerInterval, request.IntervalCount, request.PricePerKwh);
        }
        catch (LedgerRejection e) { throw Invalid(e.Message); }
        return Task.FromResult(new ContractQuote
        {
            PaymentPerInterval = costs.PaymentPerInterval, Payment = costs.Payment, DmoFeeBuyer = costs.DmoFeeBuyer, DmoFeeSeller = costs.DmoFeeSeller,
            GridFee = costs.GridFee, PathLevel = level.ToString(), BuyerEscrow = costs.BuyerEscrow, Height = height,
        });
    }

    public override Task<ListMisbehaviourResponse> ListMisbehaviour(ListMisbehaviourRequest request, ServerCallContext context)
    {
        uint limit = Limit(request.Limit, "limit");
        Address? validator = request.Validator.IsEmpty ? null : AddressField(request.Validator, "validator");
        string? after = PageToken(request.PageToken, StateKeys.MisbehaviourPrefix);
        var records = store.Scan(StateKeys.MisbehaviourPrefix).Select(kv => (kv.Key, Item: (MisbehaviourRecord?)MisbehaviourRecord.Parser.ParseFrom(kv.Value.AsSpan())));
        var response = new ListMisbehaviourResponse();
        response.Records.AddRange(Page(records, after, limit, r => validator is not { } only || Address.FromBytes(r.Validator.Span) == only, out var next));
        response.NextPageToken = next;
        return Task.FromResult(response);
    }

    private MeterState Meter(string id, string field)
    {
        if (id.Length == 0) throw Invalid($"{field} is required");
        return store.Get(StateKeys.Meter(id)) is { } bytes ? MeterState.Parser.ParseFrom(bytes.AsSpan())
            : throw Refusal.Of(ApiReasons.UnknownMeter, $"meter '{id}' is not registered");
    }

    /// <summary>
    /// Up to <paramref name="limit"/> included items after the key <paramref name="after"/>; the page token is the
    /// state key of the last item returned, so paging stays stable while new records commit.
    /// </summary>
    private static List<T> Page<T>(IEnumerable<(string Key, T? Item)> items, string? after, uint limit, Func<T, bool> include, out ByteString next) where T : class
    {
        var page = new List<T>();
        string? lastKey = null;
        next = ByteString.Empty;
        foreach (var (key, item) in items)
        {
            if (item is null || (after is not null && string.CompareOrdinal(key, after) <= 0) || !include(item)) continue;
            if (page.Count == limit)
            {
                next = ByteString.CopyFrom(Encoding.UTF8.GetBytes(lastKey!));
                break;
            }
            page.Add(item);
            lastKey = key;
        }
        return page;
    }

    private static uint Limit(uint requested, string field)
        => requested == 0 ? DefaultLimit : requested <= MaxLimit ? requested : throw Invalid($"{field} must be at most {MaxLimit}, got {requested}");

    /// <summary>
    /// The state key a page token resumes after. A token is only valid for the listing that issued it: a key from
    /// another prefix (another party, offers, the unfiltered list) would compare before or after every key of this
    /// scan and silently restart or end the listing, so it is refused instead.
    /// </summary>
    private static string? PageToken(ByteString token, string scanPrefix)
    {
        if (token.IsEmpty) return null;
        string key;
        try { key = new UTF8Encoding(false, true).GetString(token.Span); }
        catch (DecoderFallbackException) { throw Refusal.Of(ApiReasons.BadPageToken, "page_token is not a token this node issued"); }
        return key.Length > scanPrefix.Length && key.StartsWith(scanPrefix, StringComparison.Ordinal)
            ? key
            : throw Refusal.Of(ApiReasons.BadPageToken, "page_token was not issued for this listing (same method, same party)");
    }

    private static Hash32 HashField(ByteString value, string field) => FieldBytes.Hash(value, field, Invalid);

    private static Address AddressField(ByteString value, string field) => FieldBytes.Address(value, field, Invalid);

    private static RpcException Invalid(string message) => Refusal.Of(ApiReasons.InvalidField, message);
}
