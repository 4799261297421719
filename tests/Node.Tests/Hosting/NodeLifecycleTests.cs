using System.Globalization;
using System.Net;
using System.Net.Sockets;
using P2PEnergy.Contracts.Protos;
using Grpc.Core;
using P2PEnergy.Contracts.Api;
using P2PEnergy.Node.Api;
using P2PEnergy.Node.Hosting;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Tests.Support;
using Xunit.Abstractions;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Node.Tests.Hosting;

/// <summary>
/// Issue 12 item 5, with real p2pe-node processes as an operator runs them: one node per data directory (LOCK), SIGTERM
/// stops a loaded node with open streams within 5 s and exit code 0 leaving a store that verifies and restarts, and a
/// taken port is one line on stderr with its own exit code (docs/node.md).
/// </summary>
[Trait("Category", "Integration")]
public sealed class NodeLifecycleTests(ITestOutputHelper output)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(5);

    private static Task<(int ExitCode, string Output, string Error)> RunAsync(NodeWorkspace workspace, params string[] arguments)
        => NodeExecutable.RunSeparatelyAsync(arguments, workspace.Root, CommandTimeout);

    private static string OneLine(string error)
    {
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr, got {lines.Length}:\n{error}");
        Assert.DoesNotContain("Exception", lines[0]);
        return lines[0];
    }

    [Fact]
    public async Task SecondRunAndVerify_OnADirectoryANodeHolds_RefuseAtOnce_NamingTheDirectoryAndThePid()
    {
        var chain = new LiveChain();
        await using var workspace = await NodeWorkspace.InitAsync(chain.Document.ToJson(), chain.Keys.Validator);
        var node = await workspace.StartNodeAsync();

        var second = await RunAsync(workspace, "run", "--data-dir", workspace.DataDir, "--port", "0", "--password-file", workspace.PasswordFile);
        Assert.Equal(NodeExitCode.DataDirectoryInUse, second.ExitCode);
        var line = OneLine(second.Error);
        Assert.Contains(workspace.DataDir, line);
        Assert.Contains($"process {node.ProcessId}", line);
        Assert.DoesNotContain("Now listening", second.Output);

        var verify = await RunAsync(workspace, "verify", "--data-dir", workspace.DataDir);
        Assert.Equal(NodeExitCode.DataDirectoryInUse, verify.ExitCode);
        Assert.Contains($"process {node.ProcessId}", OneLine(verify.Error));

        // The first node never noticed: it still commits.
        Assert.Equal(ReasonCodes.Ok, (await node.Channel.CommitAsync(chain.Deposit(chain.Keys.Alice, 1, nonce: 1))).Result.Code);
        // Once it is gone (even by kill -9, which cannot clean up), the directory is free again.
        node.Kill();
        var (exitCode, verified) = await workspace.VerifyAsync();
        Assert.True(exitCode == NodeExitCode.Ok, verified);
    }

    [Fact]
    public async Task Sigterm_UnderLoadWithStreamsOpen_ExitsZeroWithinFiveSeconds_AndTheStoreVerifiesAndRestarts()
    {
        var chain = new LiveChain();
        await using var workspace = await NodeWorkspace.InitAsync(chain.Document.ToJson(), chain.Keys.Validator);
        var node = await workspace.StartNodeAsync();
        var load = new CommitLoad(chain);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var traffic = load.RunAsync(node.Channel, 1, workersPerKind: 2, stop.Token);
        await load.WaitForWatchedCommitsAsync(30, TimeSpan.FromSeconds(30));

        // A follower of new blocks (besides the load's own): a stream that never ends by itself.
        using var watcher = NodeChannel.Create(node.Address);
        using var stream = watcher.Ledger().StreamBlocks(new StreamBlocksRequest { FromHeight = 1 }, deadline: DateTime.UtcNow.AddMinutes(2));
        var blocks = stream.ResponseStream;
        Assert.True(await blocks.MoveNext());

        load.ExpectNodeLoss();
        await AssertStopsCleanlyAsync(node, workspace, $"with {load.WatchedCommits} commits watched");
        await traffic.WaitAsync(TimeSpan.FromSeconds(30));
        // The open stream ended with a status a client acts on (retry elsewhere), never a hang.
        var ended = await Assert.ThrowsAsync<RpcException>(async () => { while (await blocks.MoveNext()) { } }).WaitAsync(TimeSpan.FromSeconds(10));
        output.WriteLine($"StreamBlocks ended: {NodeRefusal.Of(ended)}");
        Assert.Equal((StatusCode.Unavailable, ApiReasons.ShuttingDown.Code), (ended.StatusCode, NodeRefusal.Of(ended).Code));

        var restarted = await workspace.StartNodeAsync();
        var status = await restarted.Channel.StatusAsync();
        Assert.True(status.Height >= load.MaxHeight, $"restarted at height {status.Height}, {load.MaxHeight} had been reported");
        Assert.Equal(ReasonCodes.Ok, (await restarted.Channel.CommitAsync(chain.Deposit(chain.Keys.Alice, 1, nonce: 2_000_000_000))).Result.Code);
    }

    [Fact]
    public async Task Sigterm_WhileABlockRunsLong_AbandonsIt_ExitsZeroWithinFiveSeconds_AndTheStoreVerifies()
    {
        // A genesis 200 days back with 60 s intervals: block 1 settles (or skips) ~288,000 intervals. However long
        // that block takes, SIGTERM must not wait for it beyond the grace.
        var chain = new LiveChain();
        chain.Document.GenesisTime = DateTimeOffset.UtcNow.AddDays(-200).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        await using var workspace = await NodeWorkspace.InitAsync(chain.Document.ToJson(), chain.Keys.Validator);
        var node = await workspace.StartNodeAsync();
        await AssertStopsCleanlyAsync(node, workspace, "during block 1");
    }

    /// <summary>SIGTERM: exit code 0 within <see cref="StopLimit"/>, and the store it leaves verifies.</summary>
    private async Task AssertStopsCleanlyAsync(NodeProcess node, NodeWorkspace workspace, string when)
    {
        var (exitCode, took) = await node.TerminateAsync(TimeSpan.FromSeconds(30));
        output.WriteLine($"SIGTERM {when}: exit {exitCode} after {took.TotalMilliseconds:0} ms");
        Assert.Equal(NodeExitCode.Ok, exitCode);
        Assert.True(took < StopLimit, $"the node took {took.TotalSeconds:0.0} s to stop after SIGTERM (limit {StopLimit.TotalSeconds} s)\n{node.LogTail()}");
        var (verifyCode, verified) = await workspace.VerifyAsync();
        Assert.True(verifyCode == NodeExitCode.Ok, verified);
    }

    [Theory]
    [InlineData("--port")]
    [InlineData("--web-port")]
    public async Task PortInUse_IsOneLineOnStderr_NamingTheAddressAndItsOption_WithItsOwnExitCode(string option)
    {
        var chain = new LiveChain();
        await using var workspace = await NodeWorkspace.InitAsync(chain.Document.ToJson(), chain.Keys.Validator);
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        string port = ((IPEndPoint)squatter.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
        // The taken port under test, the other one free (the API port binds first, so a taken web port fails second).
        string[] ports = option == "--port" ? ["--port", port, "--web-port", "0"] : ["--port", "0", "--web-port", port];

        var run = await RunAsync(workspace, ["run", "--data-dir", workspace.DataDir, .. ports, "--password-file", workspace.PasswordFile]);
        Assert.Equal(NodeExitCode.AddressInUse, run.ExitCode);
        var line = OneLine(run.Error);
        Assert.Contains($"127.0.0.1:{port}:", line);
        Assert.EndsWith($"choose another {option}", line);
        Assert.DoesNotContain("   at ", run.Output);
        Assert.DoesNotContain("Exception", run.Output);
        // Nothing was committed: consensus starts only once the API listens.
        var (verifyCode, verified) = await workspace.VerifyAsync();
        Assert.True(verifyCode == NodeExitCode.Ok, verified);
        Assert.Contains("OK: 0 blocks", verified);
    }
}
