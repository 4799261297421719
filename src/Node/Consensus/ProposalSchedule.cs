namespace P2PEnergy.Node.Consensus;

/// <summary>
/// The pure rules of when a height starts (block pacing: the heartbeat) and which time a proposed block carries. No
/// clock inside: the caller passes "now" from its TimeProvider.
/// </summary>
public static class ProposalSchedule
{
    /// <summary>Milliseconds until the heartbeat makes a block due with no transactions waiting (0 when already due).</summary>
    public static long UntilHeartbeat(long nowMs, long lastBlockTimeMs, long heartbeatMs)
        => Math.Max(0, lastBlockTimeMs + heartbeatMs - nowMs);

    /// <summary>
    /// BFT time must strictly increase (expiry and gate closure compare against it), even when the local clock
    /// stalls or steps back: max(now, last + 1).
    /// </summary>
    public static long NextBlockTime(long nowMs, long lastBlockTimeMs) => Math.Max(nowMs, checked(lastBlockTimeMs + 1));
}
