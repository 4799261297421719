using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Grid;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.Kernel;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Node.Tests.Ledger;

/// <summary>
/// Issue 12 item 3: a handler that throws something other than a refusal must not halt the chain. That transaction
/// alone is refused with EXECUTION_FAILED (the kind's handler and the exception's type: no runtime text, no stack), its
/// writes dropped, the exception handed to the host; exceptions that say the node is broken (out of memory, an
/// unreadable store) still fail the block.
/// </summary>
public class ExecutionFailureTests
{
    /// <summary>The grid stage with a bug: its check throws <typeparamref name="T"/> for contracts of <see cref="PoisonWh"/> Wh.</summary>
    private sealed class BuggyGrid<T>(Func<T> exception) : IGridAdmission, IGridBlock where T : Exception
    {
        public const ulong PoisonWh = 1_234;
        public IGridBlock BeginBlock() => this;
        public GridPlan Check(LedgerContext context, EnergyContract terms, MeterState sellerMeter, MeterState buyerMeter)
            => terms.WhPerInterval == PoisonWh ? throw exception() : GridPlan.Unmodelled;
        public void Record(LedgerContext context, Hash32 contractId, GridPlan plan) { }
        public void Publish() { }
    }

    private static Transaction Contract(LedgerHarness h, ulong wh, ulong nonce) => LedgerHarness.Envelope(h.Contract(h.Alice, h.Bob, wh: wh, nonce: nonce), h.Alice, h.Bob);

    [Fact]
    public void HandlerException_RefusesThatTransactionAlone_AndTheChainGoesOn()
    {
        var h = new LedgerHarness(grid: new BuggyGrid<InvalidOperationException>(() => new InvalidOperationException("flow book of 1795366800 holds unregistered meter X")));
        var poison = Contract(h, BuggyGrid<InvalidOperationException>.PoisonWh, nonce: 2);
        var results = h.Block(1, Contract(h, 1_000, nonce: 1), poison, Contract(h, 1_000, nonce: 3));
        Assert.Equal([ReasonCodes.Ok, ReasonCodes.ExecutionFailed, ReasonCodes.Ok], results.Select(r => r.Code));
        Assert.Equal("EnergyContract handler failed: System.InvalidOperationException", results[1].Message);
        // Its writes are gone: no contract record, no used nonce, no escrow; the others committed.
        Assert.Null(h.State.Get(StateKeys.Contract(Hash32.FromBytes(results[1].PayloadId.Span))));
        Assert.NotNull(h.State.Get(StateKeys.Contract(Hash32.FromBytes(results[2].PayloadId.Span))));
        // The nonce index too (issue 12's per-signer entries are written before the handler runs): nonce 2 stays free.
        Assert.Null(h.State.Get(StateKeys.Nonce(h.Alice.Address, nameof(EnergyContract), 2)));
        Assert.NotNull(h.State.Get(StateKeys.Nonce(h.Alice.Address, nameof(EnergyContract), 3)));
        // The same transaction in the next block is refused the same way: the chain never stops on it.
        var again = h.Block(1, poison);
        Assert.Equal((ReasonCodes.ExecutionFailed, results[1].Message), (again[0].Code, again[0].Message));
    }

    [Fact]
    public void HandlerException_IsHandedToTheHost_WithItsStack_NotWrittenIntoTheResult()
    {
        var h = new LedgerHarness(grid: new BuggyGrid<NullReferenceException>(() => new NullReferenceException()));
        var poison = Contract(h, BuggyGrid<NullReferenceException>.PoisonWh, nonce: 1);
        var execution = h.Executor.Execute(h.State, h.AppHash, 1, h.TimeMs + 1000, [(poison.ToByteArray(), null)]);
        var fault = Assert.Single(execution.Faults);
        Assert.Equal((1UL, 0, "transaction"), (fault.Height, fault.Position, fault.What));
        Assert.IsType<NullReferenceException>(fault.Exception);
        Assert.Equal("EnergyContract handler failed: System.NullReferenceException", execution.Results[0].Message);
        Assert.Empty(execution.Changes);
    }

    /// <summary>
    /// Results are hashed into the app hash, so what EXECUTION_FAILED says may not come from the runtime: two nodes whose
    /// .NET patch words an exception differently must still agree. The text only reaches the host (its log).
    /// </summary>
    [Fact]
    public void ExecutionFailedMessage_DoesNotDependOnTheExceptionsText()
    {
        BlockExecution Run(string text)
        {
            var h = new LedgerHarness(grid: new BuggyGrid<ArgumentException>(() => new ArgumentException(text)));
            return h.Executor.Execute(h.State, h.AppHash, 1, h.TimeMs + 1000, [(Contract(h, BuggyGrid<ArgumentException>.PoisonWh, nonce: 1).ToByteArray(), null)]);
        }
        var (one, other) = (Run("Value does not fall within the expected range."), Run("The value is out of the expected range."));
        Assert.Equal(ReasonCodes.ExecutionFailed, one.Results[0].Code);
        Assert.Equal("EnergyContract handler failed: System.ArgumentException", one.Results[0].Message);
        Assert.Equal(one.Results[0], other.Results[0]);
        Assert.Equal(one.AppHash, other.AppHash);
        Assert.Equal("The value is out of the expected range.", Assert.Single(other.Faults).Exception.Message);
    }

    [Fact]
    public void ExecutionFailedMessage_OfAGenericExceptionType_CarriesNoAssemblyVersion()
    {
        var h = new LedgerHarness(grid: new BuggyGrid<GenericFailure<int>>(() => new GenericFailure<int>()));
        var result = h.One(Contract(h, BuggyGrid<GenericFailure<int>>.PoisonWh, nonce: 1));
        Assert.Equal("EnergyContract handler failed: P2PEnergy.Node.Tests.Ledger.ExecutionFailureTests+GenericFailure`1", result.Message);
    }

    private sealed class GenericFailure<T> : Exception;

    [Fact]
    public void OutOfMemory_IsNotAbsorbed_TheBlockFails()
    {
        var h = new LedgerHarness(grid: new BuggyGrid<OutOfMemoryException>(() => new OutOfMemoryException()));
        var poison = Contract(h, BuggyGrid<OutOfMemoryException>.PoisonWh, nonce: 1);
        Assert.Throws<OutOfMemoryException>(() => h.Executor.Execute(h.State, h.AppHash, 1, h.TimeMs + 1000, [(poison.ToByteArray(), null)]));
    }

    [Fact]
    public void InsufficientStack_IsNotAbsorbed_TheBlockFails()
    {
        var h = new LedgerHarness(grid: new BuggyGrid<InsufficientExecutionStackException>(() => new InsufficientExecutionStackException()));
        var poison = Contract(h, BuggyGrid<InsufficientExecutionStackException>.PoisonWh, nonce: 1);
        Assert.Throws<InsufficientExecutionStackException>(() => h.Executor.Execute(h.State, h.AppHash, 1, h.TimeMs + 1000, [(poison.ToByteArray(), null)]));
    }

    /// <summary>Committed state whose reads of one key fail, as a broken disk or a SQLite error would.</summary>
    private sealed class FailingStore(IStateReader inner, string failingKey) : IStateReader
    {
        public byte[]? Get(string key) => key == failingKey ? throw new IOException("disk I/O error") : inner.Get(key);
        public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix) => inner.Scan(prefix);
        public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix, string from) => inner.Scan(prefix, from);
    }

    [Fact]
    public void UnreadableCommittedState_FailsTheBlock_NeverBecomesARefusal()
    {
        var h = new LedgerHarness();
        var deposit = LedgerHarness.Envelope(new Deposit { Account = ByteString.CopyFrom(h.Alice.Address.Bytes), Amount = 5, Nonce = 1 }, h.Operator);
        var broken = new FailingStore(h.State, StateKeys.Account(h.Alice.Address));
        var e = Assert.Throws<StateReadException>(() => h.Executor.Execute(broken, h.AppHash, 1, h.TimeMs + 1000, [(deposit.ToByteArray(), null)]));
        Assert.IsType<IOException>(e.InnerException);
        Assert.Contains(StateKeys.Account(h.Alice.Address), e.Message);
    }
}
