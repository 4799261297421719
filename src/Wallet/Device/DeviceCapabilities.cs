using P2PEnergy.Wallet.Failures;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using P2PEnergy.Wallet.Cli;
using P2PEnergy.Wallet.Keys;

namespace P2PEnergy.Wallet.Device;

/// <summary>
/// What a device agent publishes for its meter's trading bot, <c>$P2PE_HOME/device/&lt;meter&gt;.capabilities.json</c>:
/// the device's facts and, for each of the next intervals, the envelope it surely executes (docs/device.md,
/// "Capabilities"). Times are the device's local time (its <c>--utc-offset</c>) with the unix start beside them.
/// </summary>
public sealed record DeviceCapabilities
{
    /// <summary>How many intervals ahead an agent publishes: beyond a bot's furthest trade (gate closure plus an interval).</summary>
    public const int Horizon = 24;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public required string Meter { get; init; }
    /// <summary>The driver kind: battery, pv, ev or load.</summary>
    public required string Device { get; init; }
    /// <summary>The device's local time minus UTC, ±HH:mm, the offset every time below is written in.</summary>
    public required string UtcOffset { get; init; }
    public required ulong IntervalSeconds { get; init; }
    public required string PublishedAt { get; init; }
    public required IReadOnlyDictionary<string, string> Facts { get; init; }
    public required IReadOnlyList<Entry> Intervals { get; init; }

    /// <summary>One interval's envelope; <see cref="StartUnix"/> is what bots match on, <see cref="Start"/> is for people.</summary>
    public sealed record Entry(string Start, ulong StartUnix, ulong MinImportWh, ulong MaxImportWh, ulong MaxExportWh)
    {
        [JsonIgnore]
        public IntervalCapability Capability => new(StartUnix, MinImportWh, MaxImportWh, MaxExportWh);
    }

    /// <summary>
    /// The capabilities of <paramref name="driver"/> for <see cref="Horizon"/> intervals from <paramref name="first"/>,
    /// the next interval it will execute (so the k-th entry has k intervals pending before it).
    /// </summary>
    public static DeviceCapabilities Forecast(string meter, IDeviceDriver driver, ulong first, ulong intervalSeconds, TimeSpan utcOffset, ulong now)
    {
        if (first % intervalSeconds != 0) throw new ArgumentException($"interval {first} is not aligned to {intervalSeconds} s", nameof(first));
        var entries = new List<Entry>(Horizon);
        for (int k = 0; k < Horizon; k++)
        {
            ulong start = first + (ulong)k * intervalSeconds;
            var c = driver.Capability(new DeviceInterval(start, intervalSeconds), pending: k);
            entries.Add(new Entry(Local(start, utcOffset), start, c.MinImportWh, c.MaxImportWh, c.MaxExportWh));
        }
        return new DeviceCapabilities
        {
            Meter = meter, Device = driver.Kind, UtcOffset = Offset(utcOffset), IntervalSeconds = intervalSeconds,
            PublishedAt = Local(now, utcOffset), Facts = driver.Facts, Intervals = entries,
        };
    }

    /// <summary>The envelope published for the interval starting at <paramref name="start"/>, or null beyond the horizon.</summary>
    public IntervalCapability? For(ulong start) => Intervals.FirstOrDefault(e => e.StartUnix == start)?.Capability;

    /// <summary>Where the agent of <paramref name="meter"/> publishes, beside its cursor.</summary>
    public static string PathFor(string home, string meter)
        => Path.Combine(home, "device", DeviceCursor.SafeFileName(meter) + ".capabilities.json");

    /// <summary>Replaces the published file atomically, so a bot never reads half of it.</summary>
    public void Publish(string path)
    {
        try
        {
            AtomicFile.CreateDirectory(Path.GetDirectoryName(path)!);
            AtomicFile.Write(path, JsonSerializer.Serialize(this, Json) + "\n", overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WalletException(ExitCode.Storage, "STORAGE_ERROR", $"cannot write {path}: {e.Message}");
        }
    }

    /// <summary>Reads a published file; null when none is published yet (the agent has not started).</summary>
    public static DeviceCapabilities? Read(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new WalletException(ExitCode.Storage, "STORAGE_ERROR", $"cannot read {path}: {e.Message}"); }
        try { return JsonSerializer.Deserialize<DeviceCapabilities>(text, Json) ?? throw new JsonException("empty document"); }
        catch (JsonException e)
        { throw new WalletException(ExitCode.Storage, "CORRUPT_CAPABILITIES", $"{path} is not a capabilities document: {e.Message.Split('\n')[0]}"); }
    }

    /// <summary>Unix seconds as ISO 8601 in the device's local time, e.g. 2026-12-01T12:00:10+02:00.</summary>
    public static string Local(ulong unixSeconds, TimeSpan utcOffset)
        => DateTimeOffset.FromUnixTimeSeconds((long)unixSeconds).ToOffset(utcOffset).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);

    private static string Offset(TimeSpan offset)
        => (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture);
}
