using System.Globalization;
using System.Text;

namespace P2PEnergy.Node.Tests.Support;

/// <summary>
/// A strict reader of the Prometheus text exposition format (version 0.0.4), written for the tests: every line must be a
/// HELP, a TYPE, a comment or a sample; a family's HELP and TYPE come once and before its samples; label values are
/// quoted with the format's escapes; values are floats (or +Inf, -Inf, NaN); histograms have cumulative buckets whose
/// +Inf bucket equals their count. Throws <see cref="FormatException"/> naming the line that breaks a rule.
/// </summary>
public sealed class PrometheusText
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public Dictionary<string, string> Types { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> Help { get; } = new(StringComparer.Ordinal);
    public List<Sample> Samples { get; } = [];

    private static readonly string[] KnownTypes = ["counter", "gauge", "histogram", "summary", "untyped"];

    public static PrometheusText Parse(string text)
    {
        var parsed = new PrometheusText();
        var seenSamples = new HashSet<string>(StringComparer.Ordinal);
        int number = 0;
        foreach (var line in text.Split('\n'))
        {
            number++;
            if (line.Length == 0) continue;
            try { parsed.Read(line, seenSamples); }
            catch (FormatException e) { throw new FormatException($"line {number}: {e.Message}: {line}"); }
        }
        parsed.CheckHistograms();
        return parsed;
    }

    /// <summary>The samples of one family (a histogram's _bucket, _sum and _count included).</summary>
    public IEnumerable<Sample> Family(string name) => Samples.Where(s => FamilyOf(s.Name) == name);

    /// <summary>The single value of a family without labels, or of the sample with <paramref name="label"/> = <paramref name="value"/>.</summary>
    public double Value(string name, string? label = null, string? value = null)
        => Samples.Single(s => s.Name == name && (label is null || (s.Labels.TryGetValue(label, out var v) && v == value))).Value;

    private void Read(string line, HashSet<string> seenSamples)
    {
        if (line.StartsWith("# HELP ", StringComparison.Ordinal) || line.StartsWith("# TYPE ", StringComparison.Ordinal))
        {
            var rest = line[7..];
            int space = rest.IndexOf(' ');
            if (space <= 0) throw new FormatException("HELP or TYPE without a metric name and text");
            string name = rest[..space], body = rest[(space + 1)..];
            RequireName(name);
            if (seenSamples.Contains(name)) throw new FormatException($"{name}'s HELP or TYPE comes after its samples");
            var map = line[2] == 'H' ? Help : Types;
            if (!map.TryAdd(name, body)) throw new FormatException($"{name} has a second {(line[2] == 'H' ? "HELP" : "TYPE")}");
            if (map == Types && !KnownTypes.Contains(body)) throw new FormatException($"unknown type '{body}'");
            return;
        }
        if (line.StartsWith('#')) return; // a comment
        int i = 0;
        while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] is '_' or ':')) i++;
        string metric = line[..i];
        RequireName(metric);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{') i = ReadLabels(line, i + 1, labels);
        if (i >= line.Length || line[i] != ' ') throw new FormatException("no space before the value");
        var parts = line[(i + 1)..].Split(' ');
        if (parts.Length is 0 or > 2) throw new FormatException("expected a value and at most a timestamp");
        double value = parts[0] switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            var v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : throw new FormatException($"value '{v}' is not a float"),
        };
        if (parts.Length == 2 && !long.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
            throw new FormatException($"timestamp '{parts[1]}' is not an integer");
        string family = FamilyOf(metric);
        if (!Types.ContainsKey(family)) throw new FormatException($"sample of {metric} before (or without) its TYPE");
        seenSamples.Add(family);
        Samples.Add(new Sample(metric, labels, value));
    }

    private static int ReadLabels(string line, int i, Dictionary<string, string> labels)
    {
        while (true)
        {
            if (i < line.Length && line[i] == '}') return i + 1;
            int start = i;
            while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] == '_')) i++;
            string name = line[start..i];
            if (name.Length == 0 || char.IsAsciiDigit(name[0])) throw new FormatException($"bad label name at column {start}");
            if (i + 1 >= line.Length || line[i] != '=' || line[i + 1] != '"') throw new FormatException($"label {name} lacks =\"");
            i += 2;
            var value = new StringBuilder();
            while (true)
            {
                if (i >= line.Length) throw new FormatException($"label {name}'s value is not closed");
                char c = line[i++];
                if (c == '"') break;
                if (c != '\\') { value.Append(c); continue; }
                if (i >= line.Length) throw new FormatException("escape at the end of the line");
                value.Append(line[i++] switch { '\\' => '\\', '"' => '"', 'n' => '\n', var e => throw new FormatException($"unknown escape \\{e}") });
            }
            if (!labels.TryAdd(name, value.ToString())) throw new FormatException($"label {name} twice");
            if (i < line.Length && line[i] == ',') i++;
            else if (i >= line.Length || line[i] != '}') throw new FormatException("labels not closed by }");
        }
    }

    private static void RequireName(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':'))
            throw new FormatException($"'{name}' is not a metric name");
    }

    private string FamilyOf(string metric)
    {
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
            if (metric.EndsWith(suffix, StringComparison.Ordinal) && Types.TryGetValue(metric[..^suffix.Length], out var type) && type is "histogram" or "summary")
                return metric[..^suffix.Length];
        return metric;
    }

    private void CheckHistograms()
    {
        foreach (var (family, _) in Types.Where(t => t.Value == "histogram"))
        {
            foreach (var series in Samples.Where(s => s.Name == family + "_bucket").GroupBy(s => string.Join(',', s.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key).Select(l => $"{l.Key}={l.Value}"))))
            {
                var buckets = series.Select(s => (Le: s.Labels.TryGetValue("le", out var le) ? le : throw new FormatException($"{family}_bucket without le"), s.Value))
                    .Select(b => (Bound: b.Le == "+Inf" ? double.PositiveInfinity : double.Parse(b.Le, CultureInfo.InvariantCulture), b.Value)).OrderBy(b => b.Bound).ToList();
                for (int i = 1; i < buckets.Count; i++)
                    if (buckets[i].Value < buckets[i - 1].Value) throw new FormatException($"{family} buckets are not cumulative at le={buckets[i].Bound}");
                if (!double.IsPositiveInfinity(buckets[^1].Bound)) throw new FormatException($"{family} has no +Inf bucket");
                var count = Samples.FirstOrDefault(s => s.Name == family + "_count" && series.Key == string.Join(',', s.Labels.OrderBy(l => l.Key).Select(l => $"{l.Key}={l.Value}")));
                if (count is null || count.Value != buckets[^1].Value) throw new FormatException($"{family}'s +Inf bucket {buckets[^1].Value} differs from its count {count?.Value}");
            }
        }
    }
}
