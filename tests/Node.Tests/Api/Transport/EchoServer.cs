using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using P2PEnergy.Contracts.Rpc;
using P2PEnergy.Node.Api.Transport;

namespace P2PEnergy.Node.Tests.Api.Transport;

/// <summary>
/// A real Kestrel host on 127.0.0.1 (ephemeral ports) serving p2pe.test.Echo: an Http2-only h2c endpoint, as
/// production uses, plus an HTTP/1.1 endpoint that exists only so the 426 refusal can be observed.
/// </summary>
public sealed class EchoServer : IAsyncLifetime
{
    /// <summary>Deliberately small limits so RESOURCE_EXHAUSTED is cheap to provoke.</summary>
    public const int MaxMessageSize = 64 * 1024;

    private WebApplication? _app;
    private ListenOptions? _http2;
    private ListenOptions? _http1;

    public Uri Http2Address => Address(_http2);

    public Uri Http1Address => Address(_http1);

    /// <summary>Errors the transport logged, so tests can check details went to the log and not the wire.</summary>
    public ConcurrentQueue<string> LoggedErrors { get; } = new();

    public RpcChannel CreateChannel(RpcChannelOptions? options = null) => new(Http2Address, options);

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders().AddProvider(new ErrorCollector(LoggedErrors));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ListenGrpcLoopback(0, listen => _http2 = listen);
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                _http1 = listen;
            });
        });
        builder.Services.AddGrpcTransport(new GrpcServerOptions(MaxMessageSize, MaxMessageSize));
        _app = builder.Build();
        _app.MapEcho();
        using var startup = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _app.StartAsync(startup.Token);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            using var shutdown = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _app.StopAsync(shutdown.Token);
            await _app.DisposeAsync();
        }
    }

    // Kestrel replaces a ListenOptions' endpoint with the bound one, so port 0 resolves here after start.
    private static Uri Address(ListenOptions? listen) =>
        listen?.IPEndPoint is { Port: > 0 } endpoint
            ? new Uri($"http://{endpoint.Address}:{endpoint.Port}")
            : throw new InvalidOperationException("The echo server has not started.");

    private sealed class ErrorCollector(ConcurrentQueue<string> sink) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                sink.Enqueue($"{formatter(state, exception)} {exception}");
            }
        }

        public void Dispose()
        {
        }
    }
}
