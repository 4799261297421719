using System.Globalization;
using BenchmarkDotNet.Reports;

namespace P2PEnergy.Benchmarks;

/// <summary>
/// After a run, one Markdown table over every benchmark class: ops/s and the ratio of each mean to native recover
/// measured in the same run (STYLE.md: ratios against a same-run baseline, never a bare absolute time).
/// BenchmarkDotNet's own Ratio column only compares within one class; this spans them all.
/// </summary>
public static class RecoverCeilingReport
{
    public static void Print(IReadOnlyList<Summary> summaries, TextWriter output)
    {
        var rows = summaries.SelectMany(s => s.BenchmarksCases.Select(b => (Name: $"{b.Descriptor.Type.Name}.{b.Descriptor.WorkloadMethod.Name}", PerSecond: ThroughputColumn.PerSecond(s, b))))
            .Where(r => r.PerSecond is not null).ToList();
        if (rows.Count == 0) return;
        // CryptoBenchmarks' recover when it ran; otherwise the copy another class measured as its own baseline.
        var baseline = rows.FirstOrDefault(r => r.Name == $"{nameof(CryptoBenchmarks)}.{nameof(CryptoBenchmarks.NativeRecover)}");
        if (baseline.PerSecond is null) baseline = rows.FirstOrDefault(r => r.Name.EndsWith($".{nameof(CryptoBenchmarks.NativeRecover)}", StringComparison.Ordinal));

        output.WriteLine();
        output.WriteLine(baseline.PerSecond is null
            ? "// Native recover was not measured in this run (filtered out or libsecp256k1 missing): no ratios."
            : "// ratio = mean time / mean time of native recover in this run (< 1 is faster than the recover ceiling)");
        output.WriteLine("| benchmark | ops/s | ratio to native recover |");
        output.WriteLine("|---|---:|---:|");
        foreach (var (name, perSecond) in rows)
        {
            var ratio = baseline.PerSecond is { } b ? (b / perSecond!.Value).ToString("0.###", CultureInfo.InvariantCulture) : "-";
            output.WriteLine($"| {name} | {perSecond!.Value.ToString("N0", CultureInfo.InvariantCulture)} | {ratio} |");
        }
    }
}
