using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Wallet.Keys;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Wallet.Cli;

/// <summary>
/// How people write the terms of a trade on the command line, turned into the ledger's integers: times (ISO 8601,
/// UTC or local), energy in kWh (to Wh), durations (30m, 2h, 1d), addresses or key names, and fresh nonces.
/// </summary>
internal static partial class Terms
{
    /// <summary>An ISO 8601 time; without an offset it is the local time of this machine. Returns unix seconds.</summary>
    public static ulong Time(string text, string option)
    {
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var time) && time.ToUnixTimeSeconds() >= 0)
            return (ulong)time.ToUnixTimeSeconds();
        throw Bad(option, text, "an ISO 8601 time such as 2026-11-22T14:00:00Z (UTC) or 2026-11-22T15:00 (local)");
    }

    /// <summary>kWh with at most three decimals, as whole Wh.</summary>
    public static ulong WattHours(string text, string option)
    {
        if (decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var kwh) && kwh > 0)
        {
            var wh = kwh * 1000;
            if (wh == decimal.Truncate(wh) && wh <= ulong.MaxValue) return (ulong)wh;
        }
        throw Bad(option, text, "a positive amount of kWh with at most 3 decimals (whole Wh)");
    }

    /// <summary>A whole amount of micro-units of the market currency.</summary>
    public static ulong MicroUnits(string text, string option)
        => ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Bad(option, text, "a whole number of micro-units (10^-6 of the market currency)");

    /// <summary>A duration: a number followed by s, m, h or d.</summary>
    public static TimeSpan Duration(string text, string option)
    {
        var match = DurationPattern().Match(text);
        if (!match.Success) throw Bad(option, text, "a duration such as 90s, 30m, 2h or 7d");
        var amount = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch { "s" => TimeSpan.FromSeconds(amount), "m" => TimeSpan.FromMinutes(amount), "h" => TimeSpan.FromHours(amount), _ => TimeSpan.FromDays(amount) };
    }

    /// <summary>A 0x address, or the name of a key in the key ring.</summary>
    public static Address Party(CliContext context, string text, string option)
    {
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return Address.TryParse(text, out var address, out var error) ? address : throw Bad(option, text, $"an address ({error})");
        return new KeyRing(Path.Combine(context.Env.Home, "keystore"), context.Env.Clock).Get(text).Address;
    }

    /// <summary>A 32-byte id (contract or offer digest) in 0x-hex.</summary>
    public static byte[] Id(string text, string what)
    {
        try { return Hex.Decode(text, 32); }
        catch (Exception e) when (e is FormatException or ArgumentException) { throw Bad(what, text, "a 32-byte id in 0x-hex (the EIP-712 digest)"); }
    }

    /// <summary>
    /// A fresh nonce: random, below 2^53 so JavaScript wallets show it exactly. A signer may use a nonce once
    /// (NONCE_REUSED), and a random one needs no local counter that two machines could disagree on.
    /// </summary>
    public static ulong Nonce() => BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) % ((1UL << 53) - 1) + 1;

    /// <summary>Unix seconds as ISO 8601 UTC.</summary>
    public static string Format(ulong unixSeconds)
        => DateTimeOffset.FromUnixTimeSeconds((long)Math.Min(unixSeconds, 253402300799UL)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Micro-units as currency units with six decimals.</summary>
    public static string Money(ulong microUnits) => (microUnits / 1_000_000m).ToString("0.000000", CultureInfo.InvariantCulture);

    /// <summary>Wh as kWh.</summary>
    public static string Kwh(ulong wh) => (wh / 1000m).ToString("0.###", CultureInfo.InvariantCulture);

    private static WalletException Bad(string option, string value, string expected)
        => new(ExitCode.BadInput, ReasonCodes.InvalidArgument, $"{option} '{value}' is not {expected}");

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)([smhd])$")]
    private static partial Regex DurationPattern();
}
