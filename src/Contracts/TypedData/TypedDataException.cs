namespace P2PEnergy.Contracts.TypedData;

/// <summary>
/// EIP-712 input that cannot be encoded: a malformed or undefined type, a missing or extra field, or a value that
/// does not fit its type. The message names the field path (e.g. <c>message.to[1].wallet</c>), the type and the value.
/// </summary>
public sealed class TypedDataException : FormatException
{
    public TypedDataException(string path, string? type, string? value, string problem)
        : base(Describe(path, type, value, problem))
    {
        Path = path;
        Type = type;
        Value = value;
        Problem = problem;
    }

    /// <summary>Where the problem is: <c>message.to[1].wallet</c>, <c>domain.chainId</c>, <c>types.Mail[0].type</c>.</summary>
    public string Path { get; }

    /// <summary>The EIP-712 type expected at <see cref="Path"/>, when one is known.</summary>
    public string? Type { get; }

    /// <summary>The offending value as written (shortened), when there is one.</summary>
    public string? Value { get; }

    /// <summary>What is wrong, without the path, type and value.</summary>
    public string Problem { get; }

    private static string Describe(string path, string? type, string? value, string problem)
    {
        var text = $"{path}: {problem}";
        if (type is not null) text += $" (type {type}";
        if (value is not null) text += (type is null ? " (" : ", ") + $"value {Shorten(value)}";
        if (type is not null || value is not null) text += ")";
        return text;
    }

    internal static string Shorten(string s) => s.Length <= 80 ? s : s[..77] + "...";
}
