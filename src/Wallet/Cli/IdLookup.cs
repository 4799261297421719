using System.Text.RegularExpressions;
using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Wallet.Failures;

namespace P2PEnergy.Wallet.Cli;

/// <summary>
/// An id as people give it back: the full 32-byte 0x-hex, or the shortened form tables show (<c>0x1234…abcd</c>, also
/// with <c>...</c>) or a prefix of at least four hex digits — found among the ids the node lists. None matching is
/// NOT_FOUND; more than one is AMBIGUOUS_ID listing them, so a short id never silently picks the wrong contract.
/// </summary>
internal static partial class IdLookup
{
    /// <summary>The full id, when <paramref name="text"/> is one (no node call needed).</summary>
    public static ByteString? Full(string text)
        => FullPattern().IsMatch(text) ? ByteString.CopyFrom(Hex.Decode(text, 32)) : null;

    /// <summary>The one id among <paramref name="candidates"/> that <paramref name="text"/> names.</summary>
    public static ByteString Resolve(string text, string what, string option, IEnumerable<ByteString> candidates)
    {
        if (Full(text) is { } full) return full;
        var match = ShortPattern().Match(text.Trim());
        if (!match.Success)
            throw Terms.Bad(option, text, $"is not a {what} id: give the 0x-hex id, its shortened form 0x1234…abcd, or at least its first four hex digits");
        string prefix = match.Groups[1].Value.ToLowerInvariant(), suffix = match.Groups[2].Value.ToLowerInvariant();
        var found = candidates.Select(c => Hex.Encode(c.Span)).Distinct()
            .Where(id => id[2..].StartsWith(prefix, StringComparison.Ordinal) && id.EndsWith(suffix, StringComparison.Ordinal)).ToList();
        return found.Count switch
        {
            1 => ByteString.CopyFrom(Hex.Decode(found[0], 32)),
            0 => throw new WalletException(ExitCode.Rejected, ReasonCodes.NotFound, $"no {what} on the node matches {text}"),
            _ => throw new WalletException(ExitCode.BadInput, "AMBIGUOUS_ID", $"{text} matches {found.Count} {what}s ({string.Join(", ", found.Take(5))}{(found.Count > 5 ? ", …" : "")}); give more digits"),
        };
    }

    [GeneratedRegex("^0[xX][0-9a-fA-F]{64}$")]
    private static partial Regex FullPattern();

    [GeneratedRegex(@"^0[xX]([0-9a-fA-F]{4,63})(?:(?:…|\.\.\.)([0-9a-fA-F]{1,60}))?$")]
    private static partial Regex ShortPattern();
}
