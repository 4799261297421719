namespace P2PEnergy.Contracts.TypedData;

/// <summary>ASCII-digit checks for the type and number grammars, which must not accept other Unicode digits.</summary>
internal static class SpanDigits
{
    public static bool ContainsOnlyDigits(this ReadOnlySpan<char> s)
    {
        foreach (var c in s) if (!char.IsAsciiDigit(c)) return false;
        return true;
    }
}
