using System.Text.RegularExpressions;

namespace P2PEnergy.Contracts.Tests;

/// <summary>
/// Which folder (namespace) of a project imports which, read from its sources: a file imports another folder of the
/// same project by a <c>using</c> of it, by a name qualified relative to its own namespace (<c>Device.DeviceCommands</c>),
/// or — for an enclosing namespace, which C# makes visible without a using — by naming a type declared there.
/// Comments and string literals are ignored. A text reading, not a compiler's, but strict: it may see an import that
/// the compiler resolves elsewhere, never miss one spelled in the source.
/// </summary>
public static partial class FolderImports
{
    /// <summary>Importer → imported → the files that make it so (with how).</summary>
    public static Dictionary<string, Dictionary<string, List<string>>> Of(string projectDirectory)
    {
        var files = Directory.EnumerateFiles(projectDirectory, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Order(StringComparer.Ordinal)
            .Select(f => (Path: Path.GetRelativePath(projectDirectory, f), Text: Strip(File.ReadAllText(f))))
            .Select(f => (f.Path, f.Text, Namespace: NamespacePattern().Match(f.Text) is { Success: true } m ? m.Groups[1].Value : null))
            .Where(f => f.Namespace is not null).ToList();
        var types = files.GroupBy(f => f.Namespace!).ToDictionary(g => g.Key,
            g => g.SelectMany(f => TypePattern().Matches(f.Text).Select(m => m.Groups[1].Value)).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        var imports = new Dictionary<string, Dictionary<string, List<string>>>(StringComparer.Ordinal);
        foreach (var (path, text, ns) in files)
        {
            var usings = UsingPattern().Matches(text).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
            var body = UsingPattern().Replace(text, "");
            var names = NamePattern().Matches(body).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
            foreach (var other in types.Keys.Where(o => o != ns))
            {
                string? how = usings.Contains(other) ? "using"
                    : ns!.StartsWith(other + ".", StringComparison.Ordinal) && types[other].Except(types[ns]).FirstOrDefault(names.Contains) is { } name ? $"names {name}"
                    : Relative(ns, other) is { } relative && Regex.IsMatch(body, $@"(?<![\w.]){Regex.Escape(relative)}\.[A-Z]") ? $"qualified {relative}"
                    : null;
                if (how is null) continue;
                if (!imports.TryGetValue(ns!, out var targets)) imports[ns!] = targets = new(StringComparer.Ordinal);
                if (!targets.TryGetValue(other, out var why)) targets[other] = why = [];
                why.Add($"{path} ({how})");
            }
        }
        return imports;
    }

    /// <summary>Each pair of folders that import each other, as "A ↔ B" (A before B in ordinal order).</summary>
    public static List<string> Loops(Dictionary<string, Dictionary<string, List<string>>> imports)
        => [.. imports.SelectMany(a => a.Value.Keys.Where(b => string.CompareOrdinal(a.Key, b) < 0 && imports.TryGetValue(b, out var back) && back.ContainsKey(a.Key))
                .Select(b => $"{a.Key} ↔ {b}")).Order(StringComparer.Ordinal)];

    /// <summary>How code in <paramref name="from"/> names <paramref name="target"/> relative to its nearest enclosing namespace.</summary>
    private static string? Relative(string from, string target)
    {
        var parts = from.Split('.');
        for (int i = parts.Length; i > 0; i--)
        {
            var prefix = string.Join('.', parts[..i]) + ".";
            if (target.StartsWith(prefix, StringComparison.Ordinal)) return target[prefix.Length..];
        }
        return null;
    }

    private static string Strip(string source)
        => StringPattern().Replace(BlockCommentPattern().Replace(LineCommentPattern().Replace(source, ""), ""), "\"\"");

    [GeneratedRegex(@"^namespace\s+([\w.]+)", RegexOptions.Multiline)]
    private static partial Regex NamespacePattern();

    [GeneratedRegex(@"\b(?:class|record|struct|interface|enum)\s+(\w+)")]
    private static partial Regex TypePattern();

    [GeneratedRegex(@"^using\s+(?:\w+\s*=\s*)?([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex UsingPattern();

    [GeneratedRegex(@"\b[A-Z]\w*")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"//.*")]
    private static partial Regex LineCommentPattern();

    [GeneratedRegex(@"/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex BlockCommentPattern();

    [GeneratedRegex(@"""(?:[^""\\\n]|\\.)*""")]
    private static partial Regex StringPattern();
}
