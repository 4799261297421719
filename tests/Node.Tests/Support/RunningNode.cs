using P2PEnergy.Contracts.Protos;
using Grpc.Core;
using Grpc.Net.Client;
using P2PEnergy.Contracts.Api;

namespace P2PEnergy.Node.Tests.Support;

/// <summary>
/// An xUnit class fixture: one real p2pe-node process on a <see cref="LiveChain"/>, shared by the tests of a class
/// (starting one costs seconds of scrypt and JIT), with a nonce source so their transactions never collide.
/// </summary>
public sealed class RunningNode : IAsyncLifetime
{
    private long _nonce;
    private NodeWorkspace? _workspace;
    private NodeProcess? _node;

    public LiveChain Chain { get; } = new();

    public NodeProcess Node => _node ?? throw new InvalidOperationException("the fixture has not started");

    public GrpcChannel Channel => Node.Channel;

    /// <summary>A nonce no other transaction of this fixture has used.</summary>
    public ulong NextNonce() => (ulong)Interlocked.Increment(ref _nonce);

    /// <summary>A plain operator deposit to Alice, the "good transaction" that must still commit after bad input.</summary>
    public Transaction GoodTransaction() => Chain.Deposit(Chain.Keys.Alice, 1_000, NextNonce());

    public async Task InitializeAsync()
    {
        _workspace = await NodeWorkspace.InitAsync(Chain.Document.ToJson(), Chain.Keys.Validator);
        _node = await _workspace.StartNodeAsync();
    }

    public async Task DisposeAsync()
    {
        if (_workspace is not null) await _workspace.DisposeAsync();
    }
}
