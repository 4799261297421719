using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Operations;

namespace P2PEnergy.Node.Tests.Operations;

public sealed class NodeMetricsTests
{
    private static TransactionResult Result(string code) => new() { Code = code };

    // The committed-transactions counter is added once per result code of a block: the counts must still add up to
    // one per transaction, under the code each transaction committed with.
    [Fact]
    public void CountByCode_OfABlock_CountsEveryResultUnderItsCodeInFirstSeenOrder()
    {
        var results = new[] { "OK", "INSUFFICIENT_BALANCE", "OK", "OK", "EXPIRED", "INSUFFICIENT_BALANCE" }.Select(Result).ToList();

        var counts = NodeMetrics.CountByCode(results);

        Assert.Equal([("OK", 3L), ("INSUFFICIENT_BALANCE", 2L), ("EXPIRED", 1L)], counts);
        Assert.Equal(results.Count, counts.Sum(c => c.Count));
    }

    [Fact]
    public void CountByCode_OfAnEmptyBlock_AddsNothing()
        => Assert.Empty(NodeMetrics.CountByCode([]));

    [Fact]
    public void CountByCode_OfABlockOfOneCode_IsOneAddition()
        => Assert.Equal([("OK", 5_000L)], NodeMetrics.CountByCode(Enumerable.Repeat("OK", 5_000).Select(Result).ToList()));
}
