using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using P2PEnergy.Node.Operations;
using P2PEnergy.Node.Api;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Operations;

public sealed class MetricsExportTests
{
    // The Prometheus text format: a histogram's +Inf bucket equals its _count. prometheus-net updates bucket, sum and
    // count one after another, so without the gate a scrape taken while two threads record read the +Inf bucket one
    // above the count (the published-node test failed so in CI); the gate makes every scrape a consistent cut.
    [Fact]
    public async Task Scrapes_TakenWhileHistogramsRecordOnTwoThreads_AreConsistentCuts()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        using var gate = new MetricsGate();
        using var export = new MetricsExport(factory, gate);
        var histogram = factory.Create(NodeMetrics.MeterName).CreateHistogram<double>("test.duration", "s", "recorded while scraped");

        using var stop = new CancellationTokenSource();
        long recorded = 0;
        var recorders = Enumerable.Range(0, 2).Select(thread => Task.Run(() =>
        {
            double value = 0.001 * (thread + 1);
            while (!stop.IsCancellationRequested)
            {
                gate.Record(histogram.Record, value);
                Interlocked.Increment(ref recorded);
            }
        })).ToArray();
        try
        {
            // A histogram has no series before its first recording; then scrape until 300 scrapes overlapped recordings.
            Assert.True(SpinWait.SpinUntil(() => Interlocked.Read(ref recorded) > 0, TimeSpan.FromSeconds(30)), "the recorders never started");
            int scrapes = 0, duringRecording = 0;
            while (duringRecording < 300 && scrapes < 100_000)
            {
                long before = Interlocked.Read(ref recorded);
                var text = PrometheusText.Parse(Encoding.UTF8.GetString(export.Scrape())); // throws when +Inf ≠ count
                Assert.Contains(text.Samples, s => s.Name == "p2pe_test_duration_count");
                if (Interlocked.Read(ref recorded) > before) duringRecording++;
                scrapes++;
            }
            Assert.True(duringRecording == 300, $"only {duringRecording} of {scrapes} scrapes overlapped a recording");
        }
        finally
        {
            stop.Cancel();
            await Task.WhenAll(recorders);
        }
    }
}
