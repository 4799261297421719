using P2PEnergy.Node.Tests.Consensus.Simulation;
using Xunit.Abstractions;

namespace P2PEnergy.Node.Tests.Consensus.Wal;

/// <summary>
/// The WAL's promise, tested exhaustively: a validator whose process dies at any one of its writes (append, fsync,
/// segment creation, the atomic last-signed file, pruning) — losing or tearing whatever it had not synced — restarts
/// from its log, never signs two different messages for one step, and reaches the height with the others.
/// </summary>
public sealed class CrashAtEveryWritePointTests(ITestOutputHelper output)
{
    private const int Validator = 0;
    private const ulong Height = 4;

    [Fact]
    public void CrashAtEveryWritePoint_RestartsFromTheLog_NoDoubleSign_HeightReached()
    {
        var clean = Sim.Network(4).Run(untilHeight: Height - 1).ExpectSafeAndLive();
        int writes = clean.Sim.Nodes[Validator].Storage.Writes;
        Assert.True(writes > 20, $"a clean run to height {Height - 1} made only {writes} writes");
        for (int point = 1; point <= writes; point++)
        {
            var run = Sim.Network(4).CrashAtWrite(Validator, point).Run(untilHeight: Height);
            Assert.True(run.Result.Passed, $"crash at write point {point} of {writes}:\n{run.Result.Report()}");
            Assert.Equal(1, run.Sim.Nodes[Validator].Crashes);
            Assert.True(run.Sim.Nodes[Validator].App.Height >= Height);
        }
        output.WriteLine($"crashed at each of {writes} write points: every restart replayed its log, none signed twice, all reached height {Height}");
    }
}
