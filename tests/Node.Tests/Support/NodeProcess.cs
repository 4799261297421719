using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using P2PEnergy.Contracts.Protos;
using Grpc.Core;
using Grpc.Net.Client;
using P2PEnergy.Contracts.Api;
using P2PEnergy.Node.Api;

namespace P2PEnergy.Node.Tests.Support;

/// <summary>
/// A real <c>p2pe-node run</c> in its own OS process on 127.0.0.1 and a free port: started on a data directory
/// made by <c>p2pe-node init</c>, ready once /healthz and GetNodeStatus answer, its stdout and stderr appended to
/// a log file. Dispose kills the whole process tree, so a failing test leaves no node behind.
/// </summary>
public sealed partial class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly TaskCompletionSource<Uri> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private X509Certificate2? _trusted;
    private GrpcChannel? _channel;
    private int _disposed;

    private NodeProcess(Process process, StreamWriter log, string logFile)
    {
        _process = process;
        _log = log;
        LogFile = logFile;
    }

    /// <summary>Where the node's stdout and stderr go (appended, so restarts on one data directory share a file).</summary>
    public string LogFile { get; }

    public int ProcessId => _process.Id;

    /// <summary>The API address; the port is the one Kestrel reports having bound (the node runs with --port 0).</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>The operations endpoint (/healthz, /readyz, /metrics), when the node bound one.</summary>
    public Uri? OperationsAddress { get; private set; }

    /// <summary>A gRPC channel to <see cref="Address"/>, disposed with this object.</summary>
    public GrpcChannel Channel => _channel ?? throw new InvalidOperationException("the node has not started");

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Starts <c>p2pe-node run --data-dir <paramref name="dataDir"/> --port 0</c> and waits (at most
    /// <paramref name="startTimeout"/>, default 60 s: scrypt and JIT on shared cores) until it serves.
    /// A node that exits or does not become ready is killed and reported with the tail of its log.
    /// </summary>
    public static Task<NodeProcess> StartAsync(string dataDir, string passwordFile, string logFile, TimeSpan? startTimeout = null, IReadOnlyDictionary<string, string>? settings = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var arguments = new List<string> { "run", "--data-dir", dataDir, "--port", "0", "--web-port", "-1", "--password-file", passwordFile };
        var start = NodeExecutable.StartInfo(arguments, Path.GetDirectoryName(Path.GetFullPath(dataDir))!);
        foreach (var (name, value) in settings ?? new Dictionary<string, string>()) start.Environment[$"P2PE_Node__{name}"] = value;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        return StartAsync(start, logFile, startTimeout);
    }

    /// <summary>
    /// Starts the node <paramref name="start"/> describes (say, a published binary with a settings file) and waits until
    /// it serves. With TLS on the API, <paramref name="trusted"/> is the certificate the test made and the only one trusted.
    /// </summary>
    public static async Task<NodeProcess> StartAsync(ProcessStartInfo start, string logFile, TimeSpan? startTimeout = null, X509Certificate2? trusted = null)
    {
        var arguments = start.ArgumentList.ToList();
        string dataDir = arguments.SkipWhile(a => a != "--data-dir").Skip(1).FirstOrDefault() ?? "?";
        var log = new StreamWriter(new FileStream(logFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var node = new NodeProcess(process, log, logFile) { _trusted = trusted };
        process.OutputDataReceived += (_, e) => node.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => node.OnLine(e.Data);
        process.Exited += (_, _) => node._port.TrySetException(new InvalidOperationException("p2pe-node exited before it listened"));
        node.Write($"---- {DateTimeOffset.UtcNow:O} {start.FileName} {string.Join(' ', arguments)}");
        try
        {
            process.Start();
            process.StandardInput.Close();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            await node.WaitUntilServingAsync(startTimeout ?? TimeSpan.FromSeconds(60));
            return node;
        }
        catch (Exception e)
        {
            int? exitCode = node.ProcessStarted() && process.HasExited ? process.ExitCode : null;
            await node.DisposeAsync();
            throw new NodeDidNotStartException($"p2pe-node did not start on {dataDir}{(exitCode is { } code ? $" (exit code {code})" : "")}: {e.Message}\n{node.LogTail()}", exitCode, e);
        }
    }

    /// <summary>
    /// kill -9: <see cref="Process.Kill(bool)"/> sends SIGKILL on Linux, so the node gets no chance to flush,
    /// checkpoint or close its store. Returns once the process is gone.
    /// </summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { /* exited between the check and the kill */ }
        if (!_process.WaitForExit(TimeSpan.FromSeconds(30)))
            throw new TimeoutException($"p2pe-node (pid {_process.Id}) outlived SIGKILL by 30 s");
        // The parameterless wait also drains the redirected output into the log.
        _process.WaitForExit();
        Write($"---- {DateTimeOffset.UtcNow:O} killed (SIGKILL), exit code {_process.ExitCode}");
    }

    /// <summary>
    /// SIGTERM, as systemd, docker stop or a supervisor sends it. Returns the exit code and how long the node took to
    /// exit; a node still alive after <paramref name="limit"/> is killed (SIGKILL) and reported as a timeout.
    /// </summary>
    public async Task<(int ExitCode, TimeSpan Took)> TerminateAsync(TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        if (Signal(_process.Id, SigTerm) != 0) throw new InvalidOperationException($"kill -TERM {_process.Id} failed: errno {Marshal.GetLastPInvokeError()}");
        using var deadline = new CancellationTokenSource(limit);
        try { await _process.WaitForExitAsync(deadline.Token); }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"p2pe-node (pid {_process.Id}) still ran {limit.TotalSeconds:0} s after SIGTERM; killed\n{LogTail()}");
        }
        var took = clock.Elapsed;
        _process.WaitForExit(); // drains the redirected output into the log
        Write($"---- {DateTimeOffset.UtcNow:O} SIGTERM: exit code {_process.ExitCode} after {took.TotalMilliseconds:0} ms");
        return (_process.ExitCode, took);
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Signal(int pid, int signal);

    /// <summary>The last <paramref name="lines"/> lines of the log, for failure messages.</summary>
    public string LogTail(int lines = 60)
    {
        try
        {
            using var reader = new StreamReader(new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            var all = reader.ReadToEnd().Split('\n');
            return $"--- last {Math.Min(lines, all.Length)} lines of {LogFile} ---\n" + string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException e) { return $"(log {LogFile} unreadable: {e.Message})"; }
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return ValueTask.CompletedTask;
        try
        {
            if (ProcessStarted()) Kill();
        }
        finally
        {
            _channel?.Dispose();
            lock (_log) _log.Dispose();
            _process.Dispose();
        }
        return ValueTask.CompletedTask;
    }

    private bool ProcessStarted()
    {
        try { _ = _process.Id; return true; }
        catch (InvalidOperationException) { return false; }
    }

    private async Task WaitUntilServingAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        try { Address = await _port.Task.WaitAsync(limit.Token); }
        catch (OperationCanceledException) { throw new TimeoutException($"no 'API listening on' line within {timeout}"); }
        _channel = _trusted is null ? NodeChannel.Create(Address) : TrustingChannel(Address, _trusted);

        // /healthz over HTTP/2 on the API port: h2c with prior knowledge in cleartext, ALPN with TLS.
        using var http = new HttpClient(Trusting(new SocketsHttpHandler(), _trusted)) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact, Timeout = TimeSpan.FromSeconds(5) };
        Exception? last = null;
        while (!limit.IsCancellationRequested)
        {
            if (_process.HasExited) throw new InvalidOperationException($"p2pe-node exited with code {_process.ExitCode}");
            try
            {
                var health = await http.GetStringAsync(new Uri(Address, "/healthz"), limit.Token);
                if (health.Trim() == "ok")
                {
                    await Channel.Ledger().GetNodeStatusAsync(new GetNodeStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: limit.Token).ResponseAsync;
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or RpcException or TaskCanceledException)
            {
                last = e;
            }
            try { await Task.Delay(100, limit.Token); }
            catch (OperationCanceledException) { break; }
        }
        throw new TimeoutException($"listening on {Address} but not serving within {timeout}: {last?.Message}");
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        Write(line);
        if (OperationsLine().Match(line) is { Success: true } operations) OperationsAddress = new Uri(operations.Groups[1].Value);
        if (ListeningLine().Match(line) is { Success: true } match) _port.TrySetResult(new Uri(match.Groups[1].Value));
    }

    /// <summary>A channel like our clients' that trusts only <paramref name="certificate"/> (a test's self-signed one).</summary>
    public static GrpcChannel TrustingChannel(Uri address, X509Certificate2 certificate)
        => GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = Trusting(new SocketsHttpHandler { EnableMultipleHttp2Connections = true }, certificate), DisposeHttpClient = true });

    /// <summary><paramref name="handler"/>, made to accept exactly <paramref name="certificate"/> when one is given.</summary>
    public static SocketsHttpHandler Trusting(SocketsHttpHandler handler, X509Certificate2? certificate)
    {
        if (certificate is not null)
            handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetRawCertData().AsSpan().SequenceEqual(certificate.RawData);
        return handler;
    }

    private void Write(string line)
    {
        lock (_log)
        {
            try { _log.WriteLine(line); }
            catch (ObjectDisposedException) { /* output still draining after dispose */ }
        }
    }

    // The node names each endpoint it bound at Information; with --port 0 it is the only place the port shows.
    [GeneratedRegex(@"API listening on (https?://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"operations listening on (https?://127\.0\.0\.1:\d+)")]
    private static partial Regex OperationsLine();
}

/// <summary>A node process that exited, or never served, during its start; <see cref="ExitCode"/> when it exited.</summary>
public sealed class NodeDidNotStartException(string message, int? exitCode, Exception inner) : InvalidOperationException(message, inner)
{
    public int? ExitCode { get; } = exitCode;
}
