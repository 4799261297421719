using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using P2PEnergy.Contracts.Api;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Wallet.Failures;

namespace P2PEnergy.Wallet.Node;

/// <summary>
/// The wallet's view of one node: typed calls on p2pe.v1.Ledger, Settlement and Grid (the generated clients), with
/// every transport failure turned into NODE_UNREACHABLE (naming the URL) and every node refusal into its own reason
/// code (<see cref="NodeRefusal"/>).
/// </summary>
internal sealed class NodeClient : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly Ledger.LedgerClient _ledger;
    private readonly Settlement.SettlementClient _settlement;
    private readonly Grid.GridClient _grid;

    public NodeClient(Uri url)
    {
        Url = url;
        _channel = NodeChannel.Create(url, connectTimeout: TimeSpan.FromSeconds(5));
        _ledger = new Ledger.LedgerClient(_channel);
        _settlement = new Settlement.SettlementClient(_channel);
        _grid = new Grid.GridClient(_channel);
    }

    public Uri Url { get; }

    /// <summary>The client for the node named by --node or the profile.</summary>

    public Task<ContractProof> ContractProofAsync(byte[] contractId, ulong toHeight)
        => Unary(o => _ledger.GetContractProofAsync(new GetContractProofRequest { ContractId = ByteString.CopyFrom(contractId), ToHeight = toHeight }, o));

    /// <summary>Committed evidence of validator misbehaviour (ListMisbehaviour), the first 1,000 records.</summary>
    public Task<ListMisbehaviourResponse> MisbehaviourAsync() => Unary(o => _ledger.ListMisbehaviourAsync(new ListMisbehaviourRequest { Limit = 1000 }, o));

    public Task<NodeStatus> StatusAsync() => Unary(o => _ledger.GetNodeStatusAsync(new GetNodeStatusRequest(), o));

    private Market? _market;

    /// <summary>The chain's market parameters (asked once per client: they are genesis parameters).</summary>
    public async Task<Market> MarketAsync() => _market ??= Market.From(await StatusAsync());

    public Task<MeterState> MeterAsync(string meter) => Unary(o => _ledger.GetMeterAsync(new GetMeterRequest { Meter = meter }, o));

    public async Task<IReadOnlyList<MeterState>> MetersAsync(Address owner)
        => (await Unary(o => _ledger.ListMetersAsync(new ListMetersRequest { Owner = Bytes(owner) }, o))).Meters;

    public async Task<IReadOnlyList<AccountState>> DelegatorsAsync(Address aggregator)
        => (await Unary(o => _ledger.ListDelegatorsAsync(new ListDelegatorsRequest { Aggregator = Bytes(aggregator) }, o))).Accounts;

    public Task<ContractState> ContractAsync(ByteString id) => Unary(o => _ledger.GetContractAsync(new GetContractRequest { Id = id }, o));

    public Task<ContractQuote> QuoteAsync(EnergyContract terms) => Unary(o => _ledger.QuoteContractAsync(terms, o));

    public Task<GridStatus> GridStatusAsync(ulong intervalStart)
        => Unary(o => _grid.GetGridStatusAsync(new GetGridStatusRequest { IntervalStart = intervalStart }, o));

    public Task<HostingCapacity> HostingCapacityAsync(string meter, ulong intervalStart)
        => Unary(o => _grid.GetHostingCapacityAsync(new GetHostingCapacityRequest { Meter = meter, IntervalStart = intervalStart }, o));

    public Task<AccountState> AccountAsync(Address address)
        => Unary(o => _ledger.GetAccountAsync(new GetAccountRequest { Address = Bytes(address) }, o));

    /// <summary>The account's statement in [from, to), with per-contract lines (all its contracts', or only <paramref name="contract"/>'s).</summary>
    public Task<Statement> StatementAsync(Address address, ulong from, ulong to, ByteString? contract = null)
        => Unary(o => _settlement.GetStatementAsync(new GetStatementRequest { Account = Bytes(address), From = from, To = to, ContractLines = true, ContractId = contract ?? ByteString.Empty }, o));

    /// <summary>The totals of one settled interval (NOT_SETTLED until it settles).</summary>
    public Task<IntervalSettlement> SettlementAsync(ulong intervalStart)
        => Unary(o => _settlement.GetSettlementAsync(new GetSettlementRequest { IntervalStart = intervalStart }, o));

    /// <summary>Every page of ListContracts (optionally only those of <paramref name="party"/>).</summary>
    public async Task<List<ContractState>> ContractsAsync(Address? party)
    {
        var all = new List<ContractState>();
        var request = new ListContractsRequest { Limit = 1000 };
        if (party is { } p) request.Party = Bytes(p);
        do
        {
            var page = await Unary(o => _ledger.ListContractsAsync(request, o));
            all.AddRange(page.Contracts);
            request.PageToken = page.NextPageToken;
        } while (!request.PageToken.IsEmpty);
        return all;
    }

    /// <summary>Every page of ListMisbehaviour (optionally only <paramref name="validator"/>'s records), by height.</summary>
    public async Task<List<MisbehaviourRecord>> MisbehaviourAsync(Address? validator)
    {
        var all = new List<MisbehaviourRecord>();
        var request = new ListMisbehaviourRequest { Limit = 1000 };
        if (validator is { } v) request.Validator = Bytes(v);
        do
        {
            var page = await Unary(o => _ledger.ListMisbehaviourAsync(request, o));
            all.AddRange(page.Records);
            request.PageToken = page.NextPageToken;
        } while (!request.PageToken.IsEmpty);
        return all;
    }

    /// <summary>Every page of the order book.</summary>
    public async Task<List<OfferState>> OffersAsync(bool includeClosed)
    {
        var all = new List<OfferState>();
        var request = new GetOffersRequest { Limit = 1000, IncludeClosed = includeClosed };
        do
        {
            var page = await Unary(o => _ledger.GetOffersAsync(request, o));
            all.AddRange(page.Offers);
            request.PageToken = page.NextPageToken;
        } while (!request.PageToken.IsEmpty);
        return all;
    }

    /// <summary>Submits a signed envelope; a mempool refusal throws with the node's verdict code.</summary>
    public async Task<SubmitTransactionResponse> SubmitAsync(Transaction transaction)
    {
        var verdict = await Unary(o => _ledger.SubmitTransactionAsync(new SubmitTransactionRequest { Transaction = transaction.ToByteString() }, o));
        if (!verdict.Accepted) throw new WalletException(ExitCode.Rejected, verdict.Code, verdict.Message);
        return verdict;
    }

    /// <summary>Waits until the transaction commits (reporting each state change) and returns its status.</summary>
    public async Task<TransactionStatus> WaitAsync(ByteString transactionId, TimeSpan timeout, Action<TransactionStatus> progress)
    {
        try
        {
            using var call = _ledger.WatchTransaction(new WatchTransactionRequest { TransactionId = transactionId }, deadline: DateTime.UtcNow + timeout);
            await foreach (var status in call.ResponseStream.ReadAllAsync())
            {
                progress(status);
                if (status.State == TransactionStatus.Types.State.Committed) return status;
                if (status.State == TransactionStatus.Types.State.Unknown)
                    throw new WalletException(ExitCode.Rejected, "UNKNOWN_TRANSACTION", $"the node does not know transaction {Hex.Encode(transactionId.Span)}");
            }
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded)
        {
            throw new WalletException(ExitCode.Rejected, "TIMEOUT", $"transaction {Hex.Encode(transactionId.Span)} did not commit within {timeout.TotalSeconds:0} s");
        }
        catch (RpcException e) { throw Translate(e); }
        throw new WalletException(ExitCode.Rejected, "ABORTED", $"the node stopped watching transaction {Hex.Encode(transactionId.Span)}");
    }

    public void Dispose() => _channel.Dispose();

    public static ByteString Bytes(Address address) => ByteString.CopyFrom(address.Bytes);

    private async Task<TResponse> Unary<TResponse>(Func<CallOptions, AsyncUnaryCall<TResponse>> call)
    {
        try { return await call(new CallOptions(deadline: DateTime.UtcNow + ApiLimits.UnaryDeadline)); }
        catch (RpcException e) { throw Translate(e); }
    }

    internal WalletException Translate(RpcException e)
    {
        var refusal = NodeRefusal.Of(e);
        return e.StatusCode switch
        {
            StatusCode.Unavailable or StatusCode.DeadlineExceeded when refusal.Code == NodeRefusal.StatusName(e.StatusCode)
                => new WalletException(ExitCode.NodeUnreachable, "NODE_UNREACHABLE", $"no answer from the node at {Url}: {refusal.Message}"),
            // The node said it is going away (SHUTTING_DOWN): nothing was refused, so the exit code is the unreachable one.
            StatusCode.Unavailable => new WalletException(ExitCode.NodeUnreachable, refusal.Code, $"the node at {Url} stopped serving: {refusal.Message}"),
            StatusCode.Unimplemented => new WalletException(ExitCode.Rejected, refusal.Code, $"the node at {Url} does not serve this call: {refusal.Message}"),
            _ => new WalletException(ExitCode.Rejected, refusal.Code, refusal.Message),
        };
    }
}
