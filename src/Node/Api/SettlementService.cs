using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.Rpc;
using P2PEnergy.Node.Api.Transport;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Api;

/// <summary>
/// Service <c>p2pe.v1.Settlement</c>: an account's statement (one line per settlement event that touched it, with
/// the running balance) and an interval's settlement totals, both read from the records settlement keeps in state.
/// </summary>
public sealed class SettlementService(IStateReader state, ChainParameters parameters)
{
    public const string Name = "p2pe.v1.Settlement";
    /// <summary>Most lines one statement returns; narrow [from, to) for more.</summary>
    public const int MaxLines = 10_000;

    public static IEndpointRouteBuilder Map(IEndpointRouteBuilder endpoints)
    {
        var s = endpoints.ServiceProvider.GetRequiredService<SettlementService>();
        endpoints.MapGrpcUnary<GetStatementRequest, Statement>(Name, "GetStatement", GetStatementRequest.Parser, s.GetStatement);
        endpoints.MapGrpcUnary<GetSettlementRequest, IntervalSettlement>(Name, "GetSettlement", GetSettlementRequest.Parser, s.GetSettlement);
        return endpoints;
    }

    public Task<Statement> GetStatement(GetStatementRequest request, ServerCallContext context)
    {
        if (request.Account.Length != 20) throw new RpcException(StatusCode.InvalidArgument, $"account must be a 20-byte address, got {request.Account.Length} bytes");
        if (request.To != 0 && request.To <= request.From) throw new RpcException(StatusCode.InvalidArgument, $"to ({request.To}) must be after from ({request.From})");
        var account = Address.FromBytes(request.Account.Span);
        var statement = new Statement
        {
            Account = state.Get(StateKeys.Account(account)) is { } bytes ? AccountState.Parser.ParseFrom(bytes.AsSpan())
                : throw new RpcException(StatusCode.NotFound, $"account {account} does not exist"),
        };
        foreach (var (_, value) in state.Scan(SettlementKeys.StatementScan(account)))
        {
            var line = StatementLine.Parser.ParseFrom(value.AsSpan());
            if (line.Time < request.From) continue;
            if (request.To != 0 && line.Time >= request.To) break;
            if (statement.Lines.Count == MaxLines)
                throw new RpcException(StatusCode.OutOfRange, $"more than {MaxLines} lines in [{request.From}, {request.To}); ask for a shorter span");
            statement.Lines.Add(line);
        }
        return Task.FromResult(statement);
    }

    public Task<IntervalSettlement> GetSettlement(GetSettlementRequest request, ServerCallContext context)
    {
        if (request.IntervalStart % parameters.IntervalSeconds != 0)
            throw new RpcException(StatusCode.InvalidArgument, $"interval_start {request.IntervalStart} is not aligned to the {parameters.IntervalSeconds} s interval");
        if (state.Get(SettlementKeys.Interval(request.IntervalStart)) is { } bytes) return Task.FromResult(IntervalSettlement.Parser.ParseFrom(bytes.AsSpan()));
        // Settlement passes over intervals with nothing to settle without writing a record: behind the cursor, no
        // record means an interval that settled empty (height 0: no block did any work for it).
        if (Market.Settlement.SettlementProgress.InProgress(state, request.IntervalStart))
            throw new RpcException(StatusCode.NotFound, $"interval {request.IntervalStart} is settling: its settlement spans blocks and has not finished");
        if (request.IntervalStart < Market.Settlement.SettlementProgress.NextInterval(state))
            return Task.FromResult(new IntervalSettlement { IntervalStart = request.IntervalStart });
        throw new RpcException(StatusCode.NotFound, $"interval {request.IntervalStart} has not settled yet (it settles when its reading window closes)");
    }
}
