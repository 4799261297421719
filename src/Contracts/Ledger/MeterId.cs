namespace P2PEnergy.Contracts.Ledger;

/// <summary>Meter ids: 1–64 characters of A–Z a–z 0–9 . _ - (they appear in keys, logs and wallet screens).</summary>
public static class MeterId
{
    public const string Rule = "1-64 characters of A-Z a-z 0-9 . _ -";

    public static bool IsValid(string? id)
        => id is { Length: > 0 and <= 64 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
