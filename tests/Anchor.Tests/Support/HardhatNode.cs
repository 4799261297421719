using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace P2PEnergy.Anchor.Tests.Support;

/// <summary>
/// A Hardhat 2 development node (`hardhat node`, tests/evm/hardhat.config.js) on 127.0.0.1 and a free port, started as one
/// `node` process (not through npx, so its id is the process to stop) and killed with its tree on dispose. Ready once it
/// answers eth_chainId; a node that does not start within the bound is killed and reported with its output.
/// </summary>
public sealed class HardhatNode : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private HardhatNode(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Starts a node; <paramref name="blockIntervalMs"/> &gt; 0 also mines a block every that many ms. Without a
    /// <paramref name="port"/>, a free one is chosen, and another if it is taken before the node binds it.
    /// </summary>
    public static async Task<HardhatNode> StartAsync(int blockIntervalMs = 0, int? port = null, TimeSpan? timeout = null)
    {
        for (int attempt = 1; ; attempt++)
        {
            var (node, addressInUse) = await TryStartAsync(blockIntervalMs, port ?? FreePort(), timeout ?? TimeSpan.FromSeconds(90));
            if (node is not null) return node;
            if (port is not null || attempt == 3) throw new InvalidOperationException(addressInUse);
        }
    }

    // The node, or (null, why) when it exited because its port was taken; any other failure throws.
    private static async Task<(HardhatNode? Node, string Why)> TryStartAsync(int blockIntervalMs, int chosen, TimeSpan limit)
    {
        var evm = EvmFactAttribute.EvmDirectory ?? throw new InvalidOperationException(EvmFactAttribute.MissingPrerequisite());
        var start = new ProcessStartInfo(EvmFactAttribute.NodeExecutable!)
        {
            WorkingDirectory = evm, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var a in new[] { Path.Combine(evm, "node_modules", "hardhat", "internal", "cli", "bootstrap.js"), "node", "--hostname", "127.0.0.1", "--port", chosen.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(a);
        start.Environment["HARDHAT_DISABLE_TELEMETRY_PROMPT"] = "true";
        start.Environment["P2PE_EVM_BLOCK_MS"] = blockIntervalMs.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var node = new HardhatNode(process, chosen);
        process.OutputDataReceived += (_, e) => { lock (node._output) node._output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (node._output) node._output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        // Its own "Started … server at" line, not only an answer on the port: a node that lost the port to another
        // process could otherwise be taken for the one answering there.
        string started = $"Started HTTP and WebSocket JSON-RPC server at http://127.0.0.1:{chosen}/";
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < limit && !process.HasExited)
        {
            try
            {
                if (node.Output.Contains(started, StringComparison.Ordinal) && (await node.RpcAsync("eth_chainId")).GetString() is not null) return (node, "");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            await Task.Delay(200);
        }
        await node.DisposeAsync();
        string why = $"hardhat node did not answer on port {chosen} within {limit.TotalSeconds:0} s:\n{node.Output}";
        return node.Output.Contains("EADDRINUSE", StringComparison.Ordinal) ? (null, why) : throw new InvalidOperationException(why);
    }

    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>One JSON-RPC call; returns its result or throws with the node's error.</summary>
    public async Task<JsonElement> RpcAsync(string method, params object[] parameters)
    {
        var body = JsonSerializer.Serialize(new { jsonrpc = "2.0", id = 1, method, @params = parameters });
        using var response = await Http.PostAsync(Url, new StringContent(body, Encoding.UTF8, "application/json"));
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        if (document.RootElement.TryGetProperty("error", out var error)) throw new InvalidOperationException($"{method}: {error}");
        return document.RootElement.GetProperty("result").Clone();
    }

    /// <summary>Gives <paramref name="address"/> 1,000 ether (hardhat_setBalance), so a fresh key can pay for gas.</summary>
    public Task FundAsync(string address) => RpcAsync("hardhat_setBalance", address, "0x3635C9ADC5DEA00000");

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Stops the node (kill, with its tree) and waits until it is gone.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { }
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(wait.Token);
        _process.Dispose();
    }
}
