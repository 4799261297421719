using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.Rpc;
using P2PEnergy.Wallet.Cli;

namespace P2PEnergy.Wallet.Node;

/// <summary>
/// The wallet's view of one node: typed calls on p2pe.v1.Ledger and p2pe.v1.Settlement, with every transport failure
/// turned into NODE_UNREACHABLE (naming the URL) and every node refusal into its own reason code.
/// </summary>
internal sealed class NodeClient(Uri url) : IDisposable
{
    private const string Ledger = "p2pe.v1.Ledger";
    private const string Settlement = "p2pe.v1.Settlement";
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);

    private readonly RpcChannel _channel = new(url, new RpcChannelOptions(connectTimeout: TimeSpan.FromSeconds(5)));

    public Uri Url { get; } = url;

    /// <summary>The client for the node named by --node or the profile.</summary>
    public static NodeClient Connect(CliContext context, System.CommandLine.ParseResult parse)
        => new(new NodeProfile(context.Env.Home).NodeUrl(parse.GetValue(CliContext.Node)));

    public Task<NodeStatus> StatusAsync() => Unary(Ledger, "GetNodeStatus", new GetNodeStatusRequest(), NodeStatus.Parser);

    public Task<GridStatus> GridStatusAsync(ulong intervalStart)
        => Unary("p2pe.v1.Grid", "GetGridStatus", new GetGridStatusRequest { IntervalStart = intervalStart }, GridStatus.Parser);

    public Task<HostingCapacity> HostingCapacityAsync(string meter, ulong intervalStart)
        => Unary("p2pe.v1.Grid", "GetHostingCapacity", new GetHostingCapacityRequest { Meter = meter, IntervalStart = intervalStart }, HostingCapacity.Parser);

    public Task<AccountState> AccountAsync(Address address)
        => Unary(Ledger, "GetAccount", new GetAccountRequest { Address = Bytes(address) }, AccountState.Parser);

    public Task<Statement> StatementAsync(Address address, ulong from, ulong to)
        => Unary(Settlement, "GetStatement", new GetStatementRequest { Account = Bytes(address), From = from, To = to }, Statement.Parser);

    /// <summary>The totals of one settled interval (NOT_FOUND until it settles).</summary>
    public Task<IntervalSettlement> SettlementAsync(ulong intervalStart)
        => Unary(Settlement, "GetSettlement", new GetSettlementRequest { IntervalStart = intervalStart }, IntervalSettlement.Parser);

    /// <summary>Every page of ListContracts (optionally only those of <paramref name="party"/>).</summary>
    public async Task<List<ContractState>> ContractsAsync(Address? party)
    {
        var all = new List<ContractState>();
        var request = new ListContractsRequest { Limit = 1000 };
        if (party is { } p) request.Party = Bytes(p);
        do
        {
            var page = await Unary(Ledger, "ListContracts", request, ListContractsResponse.Parser);
            all.AddRange(page.Contracts);
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
            var page = await Unary(Ledger, "GetOffers", request, GetOffersResponse.Parser);
            all.AddRange(page.Offers);
            request.PageToken = page.NextPageToken;
        } while (!request.PageToken.IsEmpty);
        return all;
    }

    /// <summary>Submits a signed envelope; a mempool refusal throws with the node's verdict code.</summary>
    public async Task<SubmitTransactionResponse> SubmitAsync(Transaction transaction)
    {
        var verdict = await Unary(Ledger, "SubmitTransaction", new SubmitTransactionRequest { Transaction = transaction.ToByteString() }, SubmitTransactionResponse.Parser);
        if (!verdict.Accepted) throw new WalletException(ExitCode.Rejected, verdict.Code, verdict.Message);
        return verdict;
    }

    /// <summary>Waits until the transaction commits (reporting each state change) and returns its status.</summary>
    public async Task<TransactionStatus> WaitAsync(ByteString transactionId, TimeSpan timeout, Action<TransactionStatus> progress)
    {
        try
        {
            await foreach (var status in _channel.ServerStreamingAsync(Ledger, "WatchTransaction", new WatchTransactionRequest { TransactionId = transactionId },
                               TransactionStatus.Parser, DateTime.UtcNow + timeout))
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

    private async Task<TResponse> Unary<TRequest, TResponse>(string service, string method, TRequest request, MessageParser<TResponse> parser)
        where TRequest : IMessage where TResponse : IMessage<TResponse>
    {
        try { return await _channel.UnaryAsync(service, method, request, parser, DateTime.UtcNow + CallTimeout); }
        catch (RpcException e) { throw Translate(e); }
    }

    private WalletException Translate(RpcException e) => e.StatusCode switch
    {
        StatusCode.Unavailable or StatusCode.DeadlineExceeded
            => new WalletException(ExitCode.NodeUnreachable, "NODE_UNREACHABLE", $"no answer from the node at {Url}: {e.Detail}"),
        StatusCode.NotFound => new WalletException(ExitCode.Rejected, "NOT_FOUND", e.Detail),
        StatusCode.InvalidArgument => new WalletException(ExitCode.Rejected, "INVALID_ARGUMENT", e.Detail),
        StatusCode.Unimplemented => new WalletException(ExitCode.Rejected, "UNIMPLEMENTED", $"the node at {Url} does not serve this call: {e.Detail}"),
        // gRPC status names as reason codes in the same SHOUTING_SNAKE form: PermissionDenied -> PERMISSION_DENIED.
        _ => new WalletException(ExitCode.Rejected, System.Text.RegularExpressions.Regex.Replace(e.StatusCode.ToString(), "(?<=[a-z])(?=[A-Z])", "_").ToUpperInvariant(), e.Detail),
    };
}
