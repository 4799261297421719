using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using P2PEnergy.Node.Consensus.Engine;
using P2PEnergy.Node.Hosting;

namespace P2PEnergy.Node.Tests.Hosting;

/// <summary>
/// docs/node.md: nodes run at Information, so the per-block ("committed block N") and per-call lines, which are Debug,
/// stay out of a default node's log; appsettings can turn a category up. Checked on the host's own logger factory,
/// built as <c>p2pe-node run</c> builds it (not started: the filters are fixed by configuration, not by a run).
/// </summary>
public sealed class NodeLoggingTests
{
    private static ILoggerFactory Loggers(NodeHost host) => host.Services.GetRequiredService<ILoggerFactory>();

    [Fact]
    public async Task DefaultHost_LogsAtInformation_NotDebug()
    {
        using var directory = new NodeDirectory();
        await using var host = directory.CreateHost();
        var consensus = Loggers(host).CreateLogger<ConsensusDriver>();
        Assert.True(consensus.IsEnabled(LogLevel.Information));
        Assert.False(consensus.IsEnabled(LogLevel.Debug), "a default node logs the consensus driver's per-block lines (Debug)");
        Assert.False(Loggers(host).CreateLogger("P2PEnergy.Node.Api.ApiCallInterceptor").IsEnabled(LogLevel.Debug));
        // ASP.NET Core's per-request lines stay at Warning, and the host's own lines are held back until it has started.
        Assert.False(Loggers(host).CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Information));
        Assert.False(Loggers(host).CreateLogger("Microsoft.Extensions.Hosting.Internal.Host").IsEnabled(LogLevel.Error));
    }

    [Fact]
    public async Task Configuration_TurnsOneCategoryUpToDebug_LeavingTheRestAtInformation()
    {
        using var directory = new NodeDirectory();
        await using var host = directory.CreateHost(settings: new Dictionary<string, string?> { ["Logging:LogLevel:P2PEnergy.Node.Api"] = "Debug" });
        Assert.True(Loggers(host).CreateLogger("P2PEnergy.Node.Api.ApiCallInterceptor").IsEnabled(LogLevel.Debug));
        Assert.False(Loggers(host).CreateLogger<ConsensusDriver>().IsEnabled(LogLevel.Debug));
    }
}
