using Microsoft.Extensions.Logging;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Tests.Ledger;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Consensus;

/// <summary>
/// The host loop after a commit: the commit reaches the health check's watch (issue 13), and each exception execution
/// absorbed into a deterministic refusal is logged once, with its stack (issue 12).
/// </summary>
public sealed class ConsensusDriverTests
{
    /// <summary>An engine that commits one given block, then has nothing due.</summary>
    private sealed class OneBlockEngine(CommittedBlock block) : IConsensusEngine
    {
        private readonly ulong _height = block.Height;
        private CommittedBlock? _next = block;
        public ulong Height => _next is null ? _height : _height - 1;
        public long LastBlockTimeMs => 0;
        public TimeSpan UntilDue() => TimeSpan.FromHours(1);
        public CommittedBlock? TryCommit() => Interlocked.Exchange(ref _next, null);
        public BlockFeed Feed { get; } = new(block.Height - 1);
    }

    /// <summary>Keeps every entry; <see cref="Error"/> completes with the first error.</summary>
    private sealed class Entries : ILogger<ConsensusDriver>
    {
        public List<(LogLevel Level, string Message, Exception? Exception)> All { get; } = [];
        public TaskCompletionSource Error { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (All) All.Add((logLevel, formatter(state, exception), exception));
            if (logLevel == LogLevel.Error) Error.TrySetResult();
        }
    }

    [Fact]
    public async Task Commit_IsRecordedForHealth_AndEachAbsorbedFaultIsLoggedOnce_WithItsException()
    {
        var id = Keccak256.Hash("poison"u8);
        var fault = new ExecutionFault(7, 2, id, "transaction", new InvalidOperationException("flow book holds unregistered meter X"));
        var block = new CommittedBlock(new Block { Header = new BlockHeader { Height = 7 } }, Hash32.Zero, []) { Faults = [fault] };
        var node = new TestNode();
        var log = new Entries();
        var commits = new CommitWatch();
        var driver = new ConsensusDriver(new OneBlockEngine(block), node.Mempool, node.Clock, log, commits: commits);

        await driver.StartAsync(CancellationToken.None);
        try { await log.Error.Task.WaitAsync(TimeSpan.FromSeconds(30)); }
        finally { await driver.StopAsync(CancellationToken.None); }

        Assert.Equal((7UL, node.Clock.GetUtcNow().ToUnixTimeMilliseconds()), (commits.Height, commits.LastCommitMs));
        var error = Assert.Single(log.All, e => e.Level >= LogLevel.Warning);
        Assert.Same(fault.Exception, error.Exception);
        Assert.Equal($"block 7: transaction 2 ({id}) failed unexpectedly and was refused deterministically", error.Message);
    }
}
