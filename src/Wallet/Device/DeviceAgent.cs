using Google.Protobuf;
using Grpc.Core;
using P2PEnergy.Contracts.Api;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;
using P2PEnergy.Wallet.Cli;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Wallet.Failures;

namespace P2PEnergy.Wallet.Device;

/// <summary>
/// The device agent loop: subscribe to the meter's dispatch with a freshly signed DeviceAuth, execute each instruction
/// on the driver once its interval has ended, sign and submit the meter reading, wait for the node's verdict, persist
/// the cursor — and on any transport failure reconnect with capped exponential backoff, resuming after the last
/// interval handled, until the node has not answered for <see cref="ReconnectBackoff.GiveUpAfter"/> (NODE_UNREACHABLE). Time comes from the injected clock only.
/// </summary>
public sealed class DeviceAgent(DeviceAgentOptions options, ChannelBase channel, PrivateKey deviceKey, IDeviceDriver driver, TimeProvider clock)
{
    private readonly Ledger.LedgerClient _ledger = new(channel);
    private readonly Devices.DevicesClient _devices = new(channel);
    // Block time is the proposer's wall clock; a second's margin keeps a reading from landing in a block
    // stamped just before the interval ends (INTERVAL_NOT_ENDED).
    private static readonly TimeSpan EndMargin = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    // A reading computed but not yet accepted survives a reconnect, so a replayed instruction is not simulated twice
    // (which would, for a battery, move its state of charge twice).
    private (ulong Interval, long Setpoint, DeviceStep Step)? _pending;
    // When the node last stopped answering; null while it answers.
    private DateTimeOffset? _failingSince;

    /// <summary>Raised after each interval is handled (reading accepted or rejected by the node).</summary>
    public event Action<DeviceReport>? Handled;

    /// <summary>Raised when an instruction arrives, before the agent waits for its interval to end.</summary>
    public event Action<DispatchInstruction>? Dispatched;

    /// <summary>Raised when a connection fails, with the delay before the next attempt.</summary>
    public event Action<Exception, TimeSpan>? Reconnecting;

    /// <summary>
    /// Runs until <paramref name="cancellationToken"/> fires (or, with <see cref="DeviceAgentOptions.StopAfter"/>, that
    /// many intervals are handled); a WalletException NODE_UNREACHABLE (exit code 10) when the node stays unreachable.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var cursor = new DeviceCursor(options.Home, options.Meter);
        int failures = 0, handled = 0;
        bool ignoreCursor = false;
        ulong now = (ulong)clock.GetUtcNow().ToUnixTimeSeconds();
        // Until the first instruction is handled, the interval running now is the next one the device executes.
        Publish(Math.Max(cursor.ResumeFrom(options.IntervalSeconds), now / options.IntervalSeconds * options.IntervalSeconds));
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var status = await _ledger.GetNodeStatusAsync(new GetNodeStatusRequest(), deadline: Deadline(), cancellationToken: cancellationToken);
                // The node answers: the time it may fail for before the agent gives up starts again at its next failure.
                _failingSince = null;
                var request = Authenticate(status.ChainId, ignoreCursor ? 0 : cursor.ResumeFrom(options.IntervalSeconds));
                using var stream = _devices.StreamDispatch(request, cancellationToken: cancellationToken);
                await foreach (var instruction in stream.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    failures = 0;
                    if (cursor.LastInterval() is { } last && instruction.IntervalStart <= last) continue;
                    if (instruction.IntervalStart % options.IntervalSeconds != 0)
                        throw new WalletException(ExitCode.BadInput, "INTERVAL_MISMATCH",
                            $"the node sent interval {instruction.IntervalStart}, not aligned to --interval-seconds {options.IntervalSeconds}; give the chain's interval length");
                    Dispatched?.Invoke(instruction);
                    var report = await HandleAsync(instruction, status.ChainId, cancellationToken);
                    cursor.Save(instruction.IntervalStart, report.Step.StateOfCharge);
                    Publish(instruction.IntervalStart + options.IntervalSeconds);
                    Handled?.Invoke(report);
                    if (options.StopAfter is { } stop && ++handled >= stop) return;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { return; }
            catch (RpcException e) when (e.StatusCode == StatusCode.OutOfRange && !ignoreCursor)
            {
                // The cursor lies further back than the node replays (longer than the longest contract): nothing
                // there can matter any more, so start from the node's latest interval.
                ignoreCursor = true;
                continue;
            }
            catch (RpcException e) when (IsFatal(e.StatusCode))
            {
                throw new WalletException(ExitCode.BadInput, "DISPATCH_REFUSED", $"the node refused the dispatch stream of meter {options.Meter}: {NodeRefusal.Of(e)}");
            }
            catch (Exception e) when (e is RpcException or HttpRequestException or IOException or TimeoutException or OperationCanceledException)
            {
                if (!await BackOffAsync(e, failures++, cancellationToken)) return;
                continue;
            }
            // The node ended the stream cleanly (it is shutting down): back off as after a failure, so a node that keeps
            // closing streams at once is not hammered with reconnects.
            if (!await BackOffAsync(new RpcException(new Status(StatusCode.Unavailable, "the node ended the dispatch stream")), failures++, cancellationToken)) return;
        }
    }

    /// <summary>
    /// Publishes the device's capabilities from <paramref name="next"/>, the next interval it will execute, for the
    /// meter's trading bot (<see cref="DeviceCapabilities"/>).
    /// </summary>
    private void Publish(ulong next)
        => DeviceCapabilities.Forecast(options.Meter, driver, next, options.IntervalSeconds, options.UtcOffset, (ulong)clock.GetUtcNow().ToUnixTimeSeconds())
            .Publish(DeviceCapabilities.PathFor(options.Home, options.Meter));

    // Reports the failure and waits the backoff delay; false when cancelled meanwhile. Gives up (NODE_UNREACHABLE) once
    // the node has failed every attempt for the backoff's give-up time.
    private async Task<bool> BackOffAsync(Exception reason, int attempt, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        _failingSince ??= now;
        var failingFor = now - _failingSince.Value;
        if (options.Backoff.Next(attempt, failingFor) is not { } delay)
            throw new WalletException(ExitCode.NodeUnreachable, "NODE_UNREACHABLE",
                $"the node at {channel.Target} has not served meter {options.Meter}'s dispatch for {Seconds(failingFor)} s ({attempt + 1} attempts, "
                + $"the last: {reason.Message}); giving up after {Seconds(options.Backoff.GiveUpAfter)} s (--give-up-after)");
        Reconnecting?.Invoke(reason, delay);
        try { await Task.Delay(delay, clock, cancellationToken); }
        catch (OperationCanceledException) { return false; }
        return true;
    }

    private static long Seconds(TimeSpan span) => (long)span.TotalSeconds;

    /// <summary>A DeviceAuth issued now, starting at <paramref name="fromInterval"/> (0: the node's latest), signed by the device key.</summary>
    public StreamDispatchRequest Authenticate(ulong chainId, ulong fromInterval)
    {
        var auth = new DeviceAuth { Meter = options.Meter, IssuedAt = (ulong)clock.GetUtcNow().ToUnixTimeSeconds(), FromInterval = fromInterval };
        return new StreamDispatchRequest { Auth = auth, Signature = ByteString.CopyFrom(deviceKey.Sign(LedgerTypedData.Digest(auth, chainId)).Bytes) };
    }

    /// <summary>The signed MeterReading transaction for a step.</summary>
    public Transaction Reading(ulong chainId, ulong intervalStart, DeviceStep step)
    {
        var reading = new MeterReading { Meter = options.Meter, IntervalStart = intervalStart, ImportWh = step.ImportWh, ExportWh = step.ExportWh };
        var tx = new Transaction { ChainId = chainId, MeterReading = reading };
        tx.Signatures.Add(ByteString.CopyFrom(deviceKey.Sign(LedgerTypedData.Digest(reading, chainId)).Bytes));
        return tx;
    }

    private async Task<DeviceReport> HandleAsync(DispatchInstruction instruction, ulong chainId, CancellationToken cancellationToken)
    {
        var interval = new DeviceInterval(instruction.IntervalStart, options.IntervalSeconds);
        var wait = DateTimeOffset.FromUnixTimeSeconds((long)interval.End) + EndMargin - clock.GetUtcNow();
        if (wait > TimeSpan.Zero) await Task.Delay(wait, clock, cancellationToken);

        if (_pending is not { } pending || pending.Interval != interval.Start)
        {
            long setpoint = options.Deviation.Apply(instruction.NetExportWh);
            pending = (interval.Start, setpoint, driver.Step(setpoint, interval));
            _pending = pending;
        }
        var tx = Reading(chainId, interval.Start, pending.Step);
        var (id, code, message) = await SubmitAsync(tx, cancellationToken);
        _pending = null;
        return new DeviceReport(options.Meter, instruction, pending.Setpoint, pending.Step, id, code, message);
    }

    private async Task<(string Id, string Code, string Message)> SubmitAsync(Transaction tx, CancellationToken cancellationToken)
    {
        var response = await _ledger.SubmitTransactionAsync(new SubmitTransactionRequest { Transaction = tx.ToByteString() },
            deadline: Deadline(), cancellationToken: cancellationToken);
        string id = Hex.Encode(response.TransactionId.Span);
        if (!response.Accepted) return (id, response.Code, response.Message);
        var watch = new WatchTransactionRequest { TransactionId = response.TransactionId };
        using var call = _ledger.WatchTransaction(watch, deadline: Deadline(), cancellationToken: cancellationToken);
        await foreach (var status in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            if (status.State == TransactionStatus.Types.State.Committed)
                return (id, status.Result?.Code ?? ReasonCodes.Ok, status.Result?.Message ?? "");
        }
        throw new RpcException(new Status(StatusCode.Unavailable, $"WatchTransaction {id} ended before the reading committed"));
    }

    // gRPC deadlines are wall-clock instants (the library and the node compare them with their own clocks), so they
    // come from the system clock, not the injected one that paces intervals.
    private static DateTime Deadline() => DateTime.UtcNow + CallTimeout;

    // Only answers that a retry cannot change stop the agent; everything else (node down, restarting) is retried.
    private static bool IsFatal(StatusCode code) => code is StatusCode.Unauthenticated or StatusCode.NotFound or StatusCode.InvalidArgument or StatusCode.PermissionDenied;
}
