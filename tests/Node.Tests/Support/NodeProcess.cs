using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
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
    private readonly TaskCompletionSource<int> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);
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

    /// <summary>A gRPC channel to <see cref="Address"/>, disposed with this object.</summary>
    public GrpcChannel Channel => _channel ?? throw new InvalidOperationException("the node has not started");

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Starts <c>p2pe-node run --data-dir <paramref name="dataDir"/> --port 0</c> and waits (at most
    /// <paramref name="startTimeout"/>, default 60 s: scrypt and JIT on shared cores) until it serves.
    /// A node that exits or does not become ready is killed and reported with the tail of its log.
    /// </summary>
    public static async Task<NodeProcess> StartAsync(string dataDir, string passwordFile, string logFile, TimeSpan? startTimeout = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        // No gRPC-Web port: with two ports at 0 the "Now listening" lines could not tell which is which.
        var arguments = new List<string> { "run", "--data-dir", dataDir, "--port", "0", "--web-port", "-1", "--password-file", passwordFile };
        var start = NodeExecutable.StartInfo(arguments, Path.GetDirectoryName(Path.GetFullPath(dataDir))!);
        foreach (var (name, value) in settings ?? new Dictionary<string, string>()) start.Environment[$"P2PE_Node__{name}"] = value;

        var log = new StreamWriter(new FileStream(logFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var node = new NodeProcess(process, log, logFile);
        process.OutputDataReceived += (_, e) => node.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => node.OnLine(e.Data);
        process.Exited += (_, _) => node._port.TrySetException(new InvalidOperationException("p2pe-node exited before it listened"));
        node.Write($"---- {DateTimeOffset.UtcNow:O} p2pe-node {string.Join(' ', arguments)}");
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
            await node.DisposeAsync();
            throw new InvalidOperationException($"p2pe-node did not start on {dataDir}: {e.Message}\n{node.LogTail()}", e);
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
        int port;
        try { port = await _port.Task.WaitAsync(limit.Token); }
        catch (OperationCanceledException) { throw new TimeoutException($"no 'Now listening on' line within {timeout}"); }
        Address = new Uri($"http://127.0.0.1:{port}");
        _channel = NodeChannel.Create(Address);

        // /healthz is HTTP/2-only (h2c with prior knowledge), like the gRPC API on the same port.
        using var http = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact, Timeout = TimeSpan.FromSeconds(5) };
        Exception? last = null;
        while (!limit.IsCancellationRequested)
        {
            if (_process.HasExited) throw new InvalidOperationException($"p2pe-node exited with code {_process.ExitCode}");
            try
            {
                var health = await http.GetStringAsync(new Uri(Address, "/healthz"), limit.Token);
                if (health == "ok")
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
        if (ListeningLine().Match(line) is { Success: true } match) _port.TrySetResult(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    private void Write(string line)
    {
        lock (_log)
        {
            try { _log.WriteLine(line); }
            catch (ObjectDisposedException) { /* output still draining after dispose */ }
        }
    }

    // Microsoft.Hosting.Lifetime logs the bound address at Information; with --port 0 it is the only place the port shows.
    [GeneratedRegex(@"Now listening on: http://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();
}
