using System.CommandLine;
using System.Globalization;

namespace P2PEnergy.Wallet.Device;

/// <summary>
/// The <c>--driver</c> choice and each driver's physical parameters on the command line, with defaults that describe a
/// typical home installation, and the one place that turns them into an <see cref="IDeviceDriver"/>.
/// </summary>
internal sealed class DeviceDriverOptions
{
    public static readonly string[] Kinds = ["battery", "pv", "ev", "load"];

    public Option<string> Driver { get; } = Required<string>("--driver", "Simulated device: battery | pv | ev | load");
    public Option<int> Seed { get; } = Default("--seed", 1, "Seed for the simulation's randomness (PV cloud noise)");
    public Option<double> UtcOffsetHours { get; } = Default("--utc-offset", 0.0, "Local solar time minus UTC, hours (places noon for pv, arrival/departure for ev)");
    public Option<double> CapacityWh { get; } = Default("--capacity-wh", 10_000.0, "battery: usable capacity, Wh");
    public Option<double> MaxChargeW { get; } = Default("--max-charge-w", 5_000.0, "battery, ev: maximum charge power, W");
    public Option<double> MaxDischargeW { get; } = Default("--max-discharge-w", 5_000.0, "battery: maximum discharge power, W");
    public Option<double> StateOfCharge { get; } = Default("--soc", 50.0, "battery: initial state of charge, %");
    public Option<double> Efficiency { get; } = Default("--efficiency", 90.0, "battery: round-trip efficiency, %");
    public Option<double> CapacityW { get; } = Default("--capacity-w", 5_000.0, "pv: rated power, W");
    public Option<double> Clouds { get; } = Default("--clouds", 0.0, "pv: cloud noise, % of output an interval may lose (0 = clear sky)");
    public Option<string> Arrival { get; } = Default("--arrival", "18:00", "ev: daily arrival, HH:mm local");
    public Option<string> Departure { get; } = Default("--departure", "07:00", "ev: daily departure, HH:mm local");
    public Option<double> NeedWh { get; } = Default("--need-wh", 20_000.0, "ev: energy the car needs per stay, Wh");
    public Option<double> BaseW { get; } = Default("--base-w", 1_000.0, "load: base power, W");
    public Option<double> FlexW { get; } = Default("--flex-w", 500.0, "load: flexibility either side of the base, W");

    public DeviceDriverOptions() => Driver.AcceptOnlyFromAmong(Kinds);

    public IEnumerable<Option> All => [Driver, Seed, UtcOffsetHours, CapacityWh, MaxChargeW, MaxDischargeW, StateOfCharge, Efficiency,
        CapacityW, Clouds, Arrival, Departure, NeedWh, BaseW, FlexW];

    /// <summary>The driver the parsed options describe; ArgumentException (with the offending value) when a parameter is impossible.</summary>
    public IDeviceDriver Create(ParseResult parse)
    {
        var offset = UtcOffset(parse);
        return parse.GetValue(Driver) switch
        {
            "battery" => new BatteryDriver(parse.GetValue(CapacityWh), parse.GetValue(MaxChargeW), parse.GetValue(MaxDischargeW),
                parse.GetValue(StateOfCharge) / 100, parse.GetValue(Efficiency) / 100),
            "pv" => new PvDriver(parse.GetValue(CapacityW), parse.GetValue(Clouds) / 100, offset, new Random(parse.GetValue(Seed))),
            "ev" => new EvChargerDriver(TimeOfDay(parse.GetValue(Arrival)!, "--arrival"), TimeOfDay(parse.GetValue(Departure)!, "--departure"),
                parse.GetValue(NeedWh), parse.GetValue(MaxChargeW), offset),
            "load" => new FlexibleLoadDriver(parse.GetValue(BaseW), parse.GetValue(FlexW)),
            var other => throw new ArgumentException($"unknown driver '{other}'; use one of {string.Join(", ", Kinds)}"),
        };
    }

    /// <summary>--utc-offset as a time span: whole minutes (5.5 and 5.75 are fine, 5.37 is not) within ±14 h.</summary>
    public TimeSpan UtcOffset(ParseResult parse)
    {
        double hours = parse.GetValue(UtcOffsetHours), minutes = Math.Round(hours * 60);
        if (Math.Abs(hours * 60 - minutes) > 1e-6 || Math.Abs(hours) > 14)
            throw new ArgumentException($"--utc-offset {hours.ToString(CultureInfo.InvariantCulture)} is not a whole number of minutes within ±14 hours");
        return TimeSpan.FromMinutes(minutes);
    }

    private static TimeSpan TimeOfDay(string text, string option)
        => TimeSpan.TryParseExact(text, @"hh\:mm", CultureInfo.InvariantCulture, out var time) && time < TimeSpan.FromDays(1)
            ? time
            : throw new ArgumentException($"{option} '{text}' is not a time of day HH:mm");

    private static Option<T> Required<T>(string name, string description) => new(name) { Description = description, Required = true };

    private static Option<T> Default<T>(string name, T value, string description) => new(name) { Description = description, DefaultValueFactory = _ => value };
}
