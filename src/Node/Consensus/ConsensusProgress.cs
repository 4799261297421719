using P2PEnergy.Node.Consensus.Core;

namespace P2PEnergy.Node.Consensus;

/// <summary>
/// Where consensus stands — height, round and step — as the engine last reported it, for the metrics
/// (<c>p2pe.consensus.round</c>, <c>p2pe.consensus.step</c>). The single-validator engine decides every height in
/// round 0 and waits in Propose between blocks; the Tendermint driver reports each step it enters. Written by the
/// consensus thread, read by any.
/// </summary>
public sealed class ConsensusProgress
{
    private long _height, _round;
    private int _step = (int)Step.Propose;

    public ulong Height => (ulong)Volatile.Read(ref _height);
    public int Round => (int)Volatile.Read(ref _round);
    public Step Step => (Step)Volatile.Read(ref _step);

    public void Enter(ulong height, int round, Step step)
    {
        Volatile.Write(ref _round, round);
        Volatile.Write(ref _step, (int)step);
        Volatile.Write(ref _height, (long)height);
    }
}
