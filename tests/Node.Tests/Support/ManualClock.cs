namespace P2PEnergy.Node.Tests.Support;

/// <summary>A TimeProvider that moves only when a test says so (Microsoft.Extensions.TimeProvider.Testing is not served to us).</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;

    public void Set(DateTimeOffset to) => _now = to;
}
