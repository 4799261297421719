using P2PEnergy.Node.Anchoring;

namespace P2PEnergy.Node.Tests.Anchoring;

/// <summary>Which height the anchoring service posts next.</summary>
public sealed class AnchorScheduleTests
{
    private static AnchorSchedule Observed(int every, bool afterSettlement, ulong upTo, ulong[]? setChanges = null, ulong[]? settlements = null)
    {
        var schedule = new AnchorSchedule(every, afterSettlement);
        for (ulong h = 1; h <= upTo; h++) schedule.Observe(h, setChanges?.Contains(h) == true, settlements?.Contains(h) == true);
        return schedule;
    }

    [Fact]
    public void EveryN_PostsTheNewestMultiple_OnlyWhenAheadOfTheAnchor()
    {
        var schedule = Observed(10, false, 37);
        Assert.Equal(30UL, schedule.Next(0));
        Assert.Equal(30UL, schedule.Next(29));
        Assert.Null(schedule.Next(30));
        Assert.Null(schedule.Next(35));
    }

    [Fact]
    public void SettledInterval_IsAnchored_WhenNewerThanTheMultiple()
    {
        Assert.Equal(34UL, Observed(10, true, 37, settlements: [12, 34]).Next(30));
        Assert.Equal(30UL, Observed(10, true, 37, settlements: [12, 25]).Next(20));
        Assert.Null(Observed(10, false, 37, settlements: [34]).Next(30));
        Assert.Equal(34UL, Observed(0, true, 37, settlements: [34]).Next(0));
    }

    [Fact]
    public void ValidatorSetHandOver_ComesFirst_InOrder_EvenBeforeANewerMultiple()
    {
        var schedule = Observed(10, true, 57, setChanges: [23, 41], settlements: [55]);
        Assert.Equal(23UL, schedule.Next(20));
        Assert.Equal(41UL, schedule.Next(23));
        Assert.Equal(55UL, schedule.Next(41));
        // Hand-overs the anchor already passed (another validator posted them) are forgotten.
        Assert.Equal(55UL, Observed(10, true, 57, setChanges: [23, 41], settlements: [55]).Next(45));
    }

    [Fact]
    public void Observe_OutOfOrder_IsRefused_AndStartAfterSkipsAnchoredHistory()
    {
        var schedule = new AnchorSchedule(5, false);
        schedule.StartAfter(100);
        Assert.Equal(100UL, schedule.Observed);
        Assert.Contains("expected 101, got 103", Assert.Throws<ArgumentException>(() => schedule.Observe(103, false, false)).Message);
        for (ulong h = 101; h <= 107; h++) schedule.Observe(h, false, false);
        Assert.Equal(105UL, schedule.Next(100));
    }
}
