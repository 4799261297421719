using P2PEnergy.Node.Consensus.Core;

namespace P2PEnergy.Node.Tests.Consensus.Core;

/// <summary>Timeouts grow per round from CometBFT's defaults and stop growing at the cap.</summary>
public sealed class TimeoutScheduleTests
{
    [Theory]
    [InlineData(Step.Propose, 0, 3000)]
    [InlineData(Step.Propose, 1, 3500)]
    [InlineData(Step.Propose, 10, 8000)]
    [InlineData(Step.Propose, 50, 8000)]
    [InlineData(Step.Prevote, 0, 1000)]
    [InlineData(Step.Prevote, 4, 3000)]
    [InlineData(Step.Precommit, 10, 6000)]
    [InlineData(Step.Precommit, 1000, 6000)]
    public void Defaults_GrowHalfASecondPerRound_CappedAtRoundTen(Step step, int round, int milliseconds)
        => Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), TimeoutSchedule.Default.For(step, round));

    [Fact]
    public void Cap_IsConfigurable()
        => Assert.Equal(TimeSpan.FromMilliseconds(3000 + 2 * 500), new TimeoutSchedule(growthRounds: 2).For(Step.Propose, 9));

    [Fact]
    public void BadSettings_AreRefusedNamingThem()
    {
        Assert.Contains("proposeBase", Assert.Throws<ArgumentOutOfRangeException>(() => new TimeoutSchedule(proposeBase: TimeSpan.Zero)).Message);
        Assert.Contains("prevoteDelta", Assert.Throws<ArgumentOutOfRangeException>(() => new TimeoutSchedule(prevoteDelta: TimeSpan.FromSeconds(-1))).Message);
        Assert.Contains("growthRounds", Assert.Throws<ArgumentOutOfRangeException>(() => new TimeoutSchedule(growthRounds: -1)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => TimeoutSchedule.Default.For(Step.Propose, -1));
    }
}
