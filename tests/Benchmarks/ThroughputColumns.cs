using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace P2PEnergy.Benchmarks;

/// <summary>Marks a benchmark whose one operation processes this many bytes, so the MB/s column can show it.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BytesPerOperationAttribute(int bytes) : Attribute
{
    public int Bytes { get; } = bytes;
}

/// <summary>Operations per second (and, for <see cref="BytesPerOperationAttribute"/> benchmarks, MB/s) from the measured mean.</summary>
public sealed class ThroughputColumn : IColumn
{
    /// <summary>ops/s for every benchmark.</summary>
    public static readonly IColumn OpsPerSecond = new ThroughputColumn(bytes: false);
    /// <summary>MB/s (10^6 bytes) for benchmarks that declare their bytes per operation.</summary>
    public static readonly IColumn MegabytesPerSecond = new ThroughputColumn(bytes: true);

    private readonly bool _bytes;

    private ThroughputColumn(bool bytes) => _bytes = bytes;

    public string Id => _bytes ? "P2PE.MBps" : "P2PE.OpsPerSec";
    public string ColumnName => _bytes ? "MB/s" : "ops/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => _bytes ? 1 : 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => _bytes ? "Megabytes (10^6 B) hashed per second, from the mean" : "Operations per second, from the mean (single thread)";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var perSecond = PerSecond(summary, benchmarkCase);
        if (perSecond is null) return "NA";
        if (!_bytes) return perSecond.Value.ToString("N0", CultureInfo.InvariantCulture);
        var bytes = benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<BytesPerOperationAttribute>()?.Bytes;
        return bytes is null ? "-" : (perSecond.Value * bytes.Value / 1e6).ToString("N1", CultureInfo.InvariantCulture);
    }

    /// <summary>Operations per second of one benchmark, or null when it did not produce results.</summary>
    public static double? PerSecond(Summary summary, BenchmarkCase benchmarkCase)
        => summary[benchmarkCase]?.ResultStatistics?.Mean is { } meanNs and > 0 ? 1e9 / meanNs : null;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
}
