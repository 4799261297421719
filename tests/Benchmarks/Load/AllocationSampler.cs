using System.Diagnostics.Tracing;

namespace P2PEnergy.Benchmarks.Load;

/// <summary>
/// What a section of code allocates, by type: the runtime's GC AllocationTick events (one for about every 100 KB a
/// thread allocates, naming the type of the object that crossed the mark), summed while the sampler is resumed. A
/// sample, not a count: good for the large shares, not for a type that is a fraction of a per cent.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly Dictionary<string, long> _bytesByType = new(StringComparer.Ordinal);
    private volatile bool _on;

    public void Resume() => _on = true;

    public void Pause() => _on = false;

    public void Clear()
    {
        lock (_bytesByType) _bytesByType.Clear();
    }

    protected override void OnEventSourceCreated(EventSource source)
    {
        // Verbose: AllocationTick is a verbose-level event of the GC keyword.
        if (source.Name == RuntimeSource) EnableEvents(source, EventLevel.Verbose, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!_on || e.EventName is null || !e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal)) return;
        if (e.Payload is not { } payload || e.PayloadNames is not { } names) return;
        int type = names.IndexOf("TypeName"), amount = names.IndexOf("AllocationAmount64");
        if (type < 0 || amount < 0) return;
        var name = payload[type] as string ?? "?";
        long bytes = Convert.ToInt64(payload[amount]);
        lock (_bytesByType) _bytesByType[name] = _bytesByType.GetValueOrDefault(name) + bytes;
    }

    /// <summary>The <paramref name="top"/> types by share of the sampled bytes.</summary>
    public void Print(TextWriter output, int top)
    {
        lock (_bytesByType)
        {
            long total = _bytesByType.Values.Sum();
            if (total == 0)
            {
                output.WriteLine("  allocation samples: none (fewer than ~100 KB allocated while sampling)");
                return;
            }
            output.WriteLine($"  sampled allocations by type ({total:N0} B in samples):");
            foreach (var (name, bytes) in _bytesByType.OrderByDescending(p => p.Value).Take(top))
                output.WriteLine($"  {bytes * 100.0 / total,5:F1} %  {name}");
        }
    }
}
