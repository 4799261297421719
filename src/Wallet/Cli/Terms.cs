using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Energy;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Wallet.Keys;
using P2PEnergy.Wallet.Failures;

namespace P2PEnergy.Wallet.Cli;

/// <summary>
/// How people write the terms of a trade on the command line, turned into the ledger's integers with the shared units
/// of P2PEnergy.Contracts.Energy: times (ISO 8601, UTC or local), energy in kWh (to Wh), money in the market's
/// currency (to micros), durations (30m, 2h, 1d), addresses or key names, and fresh nonces. Each refusal names the
/// option, the value and what is wrong with it.
/// </summary>
internal static partial class Terms
{
    /// <summary>An ISO 8601 time; without an offset it is the local time of this machine. Returns unix seconds.</summary>
    public static ulong Time(string text, string option, TimeZoneInfo? localZone = null)
        => IsoTime.TryParse(text, localZone ?? TimeZoneInfo.Local, out var seconds, out var problem) ? seconds : throw Bad(option, text, problem);

    /// <summary>kWh with at most three decimals, more than zero, as whole Wh.</summary>
    public static ulong WattHours(string text, string option)
    {
        if (!Contracts.Energy.WattHours.TryParseKwh(text, out var energy, out var problem)) throw Bad(option, text, problem);
        if (energy.Wh <= 0) throw Bad(option, text, "must be more than 0 kWh");
        return (ulong)energy.Wh;
    }

    /// <summary>An amount in the market's currency (at most its decimals, never negative), as micros.</summary>
    public static ulong Money(string text, string option, Currency currency)
        => currency.TryParse(text, out var money, out var problem) ? money.Amount : throw Bad(option, text, problem);

    /// <summary>A duration: a number followed by s, m, h or d.</summary>
    public static TimeSpan Duration(string text, string option)
    {
        var match = DurationPattern().Match(text);
        if (!match.Success) throw Bad(option, text, "is not a duration such as 90s, 30m, 2h or 7d");
        var amount = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch { "s" => TimeSpan.FromSeconds(amount), "m" => TimeSpan.FromMinutes(amount), "h" => TimeSpan.FromHours(amount), _ => TimeSpan.FromDays(amount) };
    }

    /// <summary>A 0x address, or the name of a key in the key ring.</summary>
    public static Address Party(CliContext context, string text, string option)
    {
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return Address.TryParse(text, out var address, out var error) ? address : throw Bad(option, text, $"is not an address ({error})");
        return new KeyRing(Path.Combine(context.Env.Home, "keystore"), context.Env.Clock).Get(text).Address;
    }

    /// <summary>A 32-byte id (contract or offer digest) in 0x-hex.</summary>
    public static byte[] Id(string text, string what)
    {
        try { return Hex.Decode(text, 32); }
        catch (Exception e) when (e is FormatException or ArgumentException) { throw Bad(what, text, "is not a 32-byte id in 0x-hex (the EIP-712 digest)"); }
    }

    /// <summary>
    /// A fresh nonce: random, below 2^53 so JavaScript wallets show it exactly. A signer may use a nonce once
    /// (NONCE_REUSED), and a random one needs no local counter that two machines could disagree on.
    /// </summary>
    public static ulong Nonce() => BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) % ((1UL << 53) - 1) + 1;

    /// <summary>Unix seconds as ISO 8601 UTC (<see cref="IsoTime.Format"/>).</summary>
    public static string Format(ulong unixSeconds) => IsoTime.Format(unixSeconds);

    /// <summary>Wh as kWh with three decimals.</summary>
    public static string Kwh(Int128 wh) => Contracts.Energy.WattHours.FormatKwh(wh);

    /// <summary>The refusal of a value: <c>--price-per-kwh '-5' must not be negative</c>.</summary>
    public static WalletException Bad(string option, string value, string problem)
        => new(ExitCode.BadInput, ReasonCodes.InvalidArgument, $"{option} '{value}' {problem}");

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)([smhd])$")]
    private static partial Regex DurationPattern();
}
