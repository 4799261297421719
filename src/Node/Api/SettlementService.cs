using Grpc.Core;
using P2PEnergy.Contracts.Api;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Market.Settlement;
using P2PEnergy.Contracts.Energy;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Node.Api;

/// <summary>
/// Service <c>p2pe.v1.Settlement</c>: an account's statement (one line per settlement event that touched it, with
/// the running balance) and an interval's settlement totals, both read from the records settlement keeps in state.
/// </summary>
public sealed class SettlementService(IStateReader state, ChainParameters parameters) : Contracts.Protos.Settlement.SettlementBase
{
    /// <summary>Most lines one statement returns; narrow [from, to) for more.</summary>
    public const int MaxLines = 10_000;

    public override Task<Statement> GetStatement(GetStatementRequest request, ServerCallContext context)
    {
        var account = FieldBytes.Address(request.Account, "account", InvalidField);
        if (request.To != 0 && request.To <= request.From) throw InvalidField($"to ({request.To}) must be after from ({request.From})");
        var statement = new Statement
        {
            Account = state.Get(StateKeys.Account(account)) is { } bytes ? AccountState.Parser.ParseFrom(bytes.AsSpan())
                : throw Refusal.Of(ApiReasons.UnknownAccount, $"account {account} does not exist"),
        };
        foreach (var (_, value) in state.Scan(SettlementKeys.StatementScan(account)))
        {
            var line = StatementLine.Parser.ParseFrom(value.AsSpan());
            if (line.Time < request.From) continue;
            if (request.To != 0 && line.Time >= request.To) break;
            if (statement.Lines.Count == MaxLines)
                throw Refusal.Of(ApiReasons.TooManyLines, $"more than {MaxLines} lines in [{request.From}, {request.To}); ask for a shorter span");
            statement.Lines.Add(line);
        }
        if (request.ContractLines || !request.ContractId.IsEmpty) AddContractLines(statement, account, request);
        return Task.FromResult(statement);
    }

    /// <summary>Per-contract lines of the settled intervals in [from, to): one contract's, or every contract of the account's, by time then commit order.</summary>
    private void AddContractLines(Statement statement, Address account, GetStatementRequest request)
    {
        IEnumerable<ContractState> contracts;
        if (request.ContractId.IsEmpty) contracts = ContractLines.ContractsOf(state, account);
        else
        {
            var id = FieldBytes.Hash(request.ContractId, "contract_id", InvalidField);
            var contract = state.Get(StateKeys.Contract(id)) is { } bytes ? ContractState.Parser.ParseFrom(bytes.AsSpan())
                : throw Refusal.Of(ApiReasons.UnknownContract, $"no committed contract has id {id}");
            if (!ContractLines.IsParty(contract, account)) throw InvalidField($"account {account} is neither the seller nor the buyer of contract {id}");
            contracts = [contract];
        }
        var lines = new List<ContractLine>();
        foreach (var contract in contracts)
            foreach (var line in ContractLines.Of(state, account, contract, parameters.IntervalSeconds, request.From, request.To))
            {
                if (lines.Count == MaxLines)
                    throw Refusal.Of(ApiReasons.TooManyLines, $"more than {MaxLines} contract lines in [{request.From}, {request.To}); ask for a shorter span or one contract");
                lines.Add(line);
            }
        // Stable: lines of the same interval stay in the contracts' commit order.
        statement.ContractLines.AddRange(lines.OrderBy(l => l.Time));
    }

    public override Task<IntervalSettlement> GetSettlement(GetSettlementRequest request, ServerCallContext context)
    {
        ulong start = request.IntervalStart, length = parameters.IntervalSeconds;
        if (!Interval.IsAligned(start, length))
            throw Refusal.Of(ApiReasons.UnalignedInterval, "interval_start " + Interval.Misaligned(start, length));
        // Settlement starts at the interval holding genesis time; behind the cursor, an earlier one would look settled empty.
        ulong genesis = (ulong)(parameters.GenesisTimeMs / 1000), first = genesis / length * length;
        if (start < first)
            throw Refusal.Of(ApiReasons.BeforeGenesis,
                $"interval {start} ({IsoTime.Format(start)}) is before genesis ({IsoTime.Format(genesis)}): the chain's first interval starts at {first}");
        if (state.Get(SettlementKeys.Interval(start)) is { } bytes) return Task.FromResult(IntervalSettlement.Parser.ParseFrom(bytes.AsSpan()));
        // Settlement passes over intervals with nothing to settle without writing a record: behind the cursor, no
        // record means an interval that settled empty (height 0: no block did any work for it) — or one whose
        // settlement failed and was skipped whole, which its SettlementError says.
        if (SettlementProgress.InProgress(state, start))
            throw Refusal.Of(ApiReasons.Settling, $"interval {start} is settling: its settlement spans blocks and has not finished");
        if (start < SettlementProgress.NextInterval(state))
        {
            if (SkippedWhole(start) is { } error)
                throw Refusal.Of(ApiReasons.SettlementFailed,
                    $"interval {start} has no settlement: it failed at height {error.Height} in stage {error.Stage} ({error.Message}) and was skipped; its SettlementError is in state, its contracts' instalments stay in escrow");
            return Task.FromResult(new IntervalSettlement { IntervalStart = start });
        }
        throw Refusal.Of(ApiReasons.NotSettled, $"interval {start} has not settled yet (it settles when its reading window closes)");
    }

    /// <summary>
    /// The error that ended the interval's settlement without a record (its start or its end failed), if any. Errors
    /// are rare (each is a bug, logged with its stack), so a walk over them all is cheap.
    /// </summary>
    private SettlementError? SkippedWhole(ulong intervalStart)
    {
        SettlementError? found = null;
        foreach (var (_, value) in state.Scan(SettlementKeys.ErrorPrefix))
        {
            var error = SettlementError.Parser.ParseFrom(value.AsSpan());
            if (error.Event == IntervalSettler.Kind && error.EventTime == intervalStart && error.Item.Length == 0) found = error;
        }
        return found;
    }

    private static RpcException InvalidField(string message) => Refusal.Of(ApiReasons.InvalidField, message);
}
