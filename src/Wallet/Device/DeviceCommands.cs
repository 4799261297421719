using System.CommandLine;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Api;
using P2PEnergy.Wallet.Cli;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Wallet.Keys;
using P2PEnergy.Wallet.Node;
using P2PEnergy.Wallet.Failures;

namespace P2PEnergy.Wallet.Device;

/// <summary><c>p2pe device run</c>: a device agent that executes the node's self-dispatch on a simulated device and reports its meter readings.</summary>
internal static class DeviceCommands
{
    public static Command Create(CliContext context)
    {
        var device = new Command("device", "Run a device agent that follows self-dispatch and signs meter readings");
        device.Subcommands.Add(Run(context));
        return device;
    }

    private static Command Run(CliContext context)
    {
        var meter = new Option<string>("--meter") { Description = "The meter this device sits behind", Required = true };
        var key = new Option<string>("--key") { Description = "Name of the meter's registered device key in the key ring", Required = true };
        // A string, not Option<Uri>: System.CommandLine 2.0 has no Uri parser, and a bad address deserves its own reason.
        var node = new Option<string>("--node") { Description = "The node's API address (http:// or https://); default: the wallet's `p2pe config set node`" };
        var deviation = new Option<decimal>("--deviation") { Description = "Deliberate deviation from dispatch, % (-20 delivers 80%, +10 delivers 110%)", DefaultValueFactory = _ => 0m };
        var intervalSeconds = new Option<ulong?>("--interval-seconds") { Description = "The chain's settlement interval length, s (default: the node's, from GetNodeStatus; given, it must match)" };
        var connectTimeout = new Option<int>("--connect-timeout") { Description = "How long to wait for the node to answer at start, s, before giving up (NODE_UNREACHABLE)", DefaultValueFactory = _ => 30 };
        var giveUpAfter = new Option<string>("--give-up-after")
        {
            Description = "How long a lost node may fail every reconnect (1 s doubling to 30 s apart) before the agent exits with NODE_UNREACHABLE: 90s, 30m, 2h",
            DefaultValueFactory = _ => "15m",
        };
        var intervals = new Option<int?>("--intervals") { Description = "Stop after this many intervals (default: run until interrupted)" };
        var passwordFile = new Option<FileInfo>("--password-file")
        {
            Description = $"File whose first line is the keystore password (else ${WalletEnvironment.PasswordVariable}, else a prompt)",
        };
        var driverOptions = new DeviceDriverOptions();
        var command = new Command("run", "Subscribe to a meter's dispatch, run the simulated device, and submit a signed reading per interval")
        {
            meter, key, node, deviation, intervalSeconds, connectTimeout, giveUpAfter, intervals, passwordFile,
        };
        foreach (var option in driverOptions.All) command.Options.Add(option);

        command.SetAction((parse, cancellationToken) => Task.FromResult(context.Run(parse, json =>
        {
            Uri? given = parse.GetValue(node) is { } text ? NodeAddress(text) : null;
            IDeviceDriver driver;
            DeviceAgentOptions Options(ulong seconds)
            {
                try
                {
                    return new DeviceAgentOptions(parse.GetValue(meter)!, context.Env.Home, seconds)
                    {
                        Deviation = new Deviation(parse.GetValue(deviation)),
                        StopAfter = parse.GetValue(intervals),
                        UtcOffset = driverOptions.UtcOffset(parse),
                        Backoff = new ReconnectBackoff(ReconnectBackoff.Default.Initial, ReconnectBackoff.Default.Max, GiveUpAfter(parse.GetValue(giveUpAfter)!)),
                    };
                }
                catch (ArgumentException e) { throw new WalletException(ExitCode.BadInput, "INVALID_DEVICE", e.Message.Split(" (Parameter")[0]); }
            }
            try
            {
                driver = driverOptions.Create(parse);
                // A restarted battery agent continues from the charge it left, not from --soc: otherwise every restart
                // would create (or destroy) stored energy the readings then report as real.
                if (driver is BatteryDriver battery && new DeviceCursor(context.Env.Home, parse.GetValue(meter)!).StateOfCharge() is { } soc)
                    battery.Resume(soc);
            }
            catch (ArgumentException e) { throw new WalletException(ExitCode.BadInput, "INVALID_DEVICE", e.Message.Split(" (Parameter")[0]); }
            // Everything local is refused before the node is asked: a day is a valid interval length to check the rest with.
            Options(parse.GetValue(intervalSeconds) ?? 86_400);
            var deviceKey = Unlock(context, parse.GetValue(key)!, parse.GetValue(passwordFile)?.FullName);
            var address = given ?? new NodeProfile(context.Env.Home).NodeUrl(null);
            var options = Options(ChainInterval(address, parse.GetValue(intervalSeconds), TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(connectTimeout))), cancellationToken));
            using var channel = NodeChannel.Create(address);
            var agent = new DeviceAgent(options, channel, deviceKey, driver, context.Env.Clock);
            var status = new DeviceStatusLine(context.Env.Out, json, live: !json && IsTerminal(context.Env.Out));
            agent.Dispatched += status.Running;
            agent.Handled += status.Write;
            agent.Reconnecting += (e, delay) => DeviceStatusLine.Reconnecting(context.Env.Error, json, e, delay);
            // The handler is synchronous (CliContext turns exceptions into exit codes); the agent's own awaits carry
            // the cancellation System.CommandLine raises on Ctrl+C / SIGTERM.
            try { agent.RunAsync(cancellationToken).GetAwaiter().GetResult(); }
            finally { status.Finish(); }
        })));
        return command;
    }

    /// <summary>
    /// The chain's interval length as its node publishes it (GetNodeStatus), asked once at start: a node that does not
    /// answer within <paramref name="wait"/> is NODE_UNREACHABLE rather than an agent retrying forever against the
    /// wrong address; a given --interval-seconds must agree with the node's.
    /// </summary>
    private static ulong ChainInterval(Uri address, ulong? given, TimeSpan wait, CancellationToken cancellation)
    {
        using var client = new NodeClient(address);
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            try
            {
                var published = client.StatusAsync().GetAwaiter().GetResult().IntervalSeconds;
                if (published == 0)
                    return given ?? throw new WalletException(ExitCode.BadInput, ReasonCodes.InvalidArgument, $"the node at {address} does not publish its interval length; give --interval-seconds");
                if (given is { } g && g != published)
                    throw new WalletException(ExitCode.BadInput, ReasonCodes.InvalidArgument, $"--interval-seconds {g} is not the chain's interval length: the node at {address} settles {published} s intervals");
                return published;
            }
            catch (WalletException e) when (e.ExitCode == ExitCode.NodeUnreachable && DateTime.UtcNow < deadline)
            {
                // The node may still be starting (devnet/up starts agents beside it): wait a little, within the bound.
                Task.Delay(TimeSpan.FromSeconds(1), cancellation).GetAwaiter().GetResult();
            }
        }
    }

    // At least the first reconnect delay, at most a week: a limit that never ends is the unbounded retry it replaces.
    private static TimeSpan GiveUpAfter(string text)
    {
        var limit = Terms.Duration(text, "--give-up-after");
        if (limit < ReconnectBackoff.Default.Initial || limit > TimeSpan.FromDays(7))
            throw Terms.Bad("--give-up-after", text, "must lie between 1s and 7d");
        return limit;
    }

    private static Uri NodeAddress(string text)
        => Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new WalletException(ExitCode.BadInput, "INVALID_NODE", $"--node '{text}' is not an http:// or https:// address");

    /// <summary>Decrypts the named key; its address is checked against the key ring's record of it.</summary>
    private static PrivateKey Unlock(CliContext context, string name, string? passwordFile)
    {
        var ring = new KeyRing(Path.Combine(context.Env.Home, "keystore"), context.Env.Clock);
        var entry = ring.Get(name);
        string json;
        try { json = File.ReadAllText(ring.PathOf(entry)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new WalletException(ExitCode.Storage, "STORAGE_ERROR", $"cannot read keystore {ring.PathOf(entry)}: {e.Message}"); }
        var bytes = Keystore.Decrypt(json, PasswordSource.ForUnlock(context.Env, passwordFile), entry.Address);
        try { return new PrivateKey(bytes); }
        finally { System.Security.Cryptography.CryptographicOperations.ZeroMemory(bytes); }
    }

    // A live (rewritten) status line only makes sense on a real console; captured writers and pipes get plain lines.
    private static bool IsTerminal(TextWriter output) => ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
}
