using P2PEnergy.Node.Grid;

namespace P2PEnergy.Node.Tests.Grid;

/// <summary>Loading a grid model validates it, and every error names the offending node.</summary>
public class GridModelTests
{
    private static GridModelException Fails(Action<GridModelFile> edit)
    {
        var file = SmallFeeder.File();
        edit(file);
        return Assert.Throws<GridModelException>(() => GridModel.Load(file.ToJsonBytes()));
    }

    private static GridNodeEntry Node(GridModelFile file, string id) => file.Nodes.Single(n => n.Id == id);

    [Fact]
    public void Valid_CompilesInDepthFirstOrder_WithContiguousSubtrees()
    {
        var model = SmallFeeder.Model();
        Assert.Equal(["S", "F1", "T1", "SP1", "SP2", "T2", "SP3"], model.Ids);
        Assert.Equal(model.Count, model.SubtreeEnd[0]);
        Assert.Equal(model.IndexOf("SP2") + 1, model.SubtreeEnd[model.IndexOf("T1")]);
        Assert.Equal(3, model.MaxDepth);
        Assert.Equal(902_500_000_000, model.VMinSquared);
        Assert.Equal(1_102_500_000_000, model.VMaxSquared);
    }

    [Fact]
    public void TwoRoots_AreRefused() =>
        Assert.Contains("node T2: a second root", Fails(f => Node(f, "T2").Parent = null).Message);

    [Fact]
    public void NoRoot_IsACycle() =>
        Assert.Contains("no root", Fails(f => { Node(f, "S").Parent = "SP3"; Node(f, "S").RatingW = 1; }).Message);

    [Fact]
    public void DetachedCycle_NamesANodeOnIt() =>
        Assert.Contains("node T2: on a cycle", Fails(f => Node(f, "T2").Parent = "SP3").Message);

    [Fact]
    public void Orphan_NamesNodeAndMissingParent() =>
        Assert.Contains("node SP2: orphan, its parent 'T9'", Fails(f => Node(f, "SP2").Parent = "T9").Message);

    [Fact]
    public void NonPositiveRating_NamesTheNode() =>
        Assert.Contains("node SP1: the branch to T1 needs a positive rating", Fails(f => Node(f, "SP1").RatingW = 0).Message);

    [Fact]
    public void DuplicateId_IsRefused() =>
        Assert.Contains("node SP1: id appears twice", Fails(f => f.Nodes.Add(new GridNodeEntry { Id = "SP1", Kind = NodeKind.ServicePoint, Parent = "T1", RatingW = 1, NominalVoltageV = 400 })).Message);

    [Fact]
    public void Band_MustBeOrdered() =>
        Assert.Contains("0 < vMinPu < vMaxPu", Fails(f => f.VMinPu = 1.1m).Message);

    [Fact]
    public void BoundMeter_MustSitOnAServicePoint()
    {
        var model = SmallFeeder.Model();
        Assert.Contains("meter MTR-X: grid node 'SP9' is not in the model", Assert.Throws<GridModelException>(() => model.RequireServicePoint("SP9", "MTR-X")).Message);
        Assert.Contains("is a transformer, not a service point", Assert.Throws<GridModelException>(() => model.RequireServicePoint("T1", "MTR-X")).Message);
        model.RequireServicePoint("SP1", "MTR-X");
    }

    [Fact]
    public void IntegerSqrt_IsExactFloor()
    {
        Assert.Equal(1_000_000, LinDistFlow.IntegerSqrt(1_000_000_000_000));
        Assert.Equal(999_999, LinDistFlow.IntegerSqrt(999_999_999_999));
        Assert.Equal((Int128)long.MaxValue, LinDistFlow.IntegerSqrt((Int128)long.MaxValue * long.MaxValue));
        Assert.Equal((Int128)long.MaxValue, LinDistFlow.IntegerSqrt((Int128)long.MaxValue * long.MaxValue + 2 * (Int128)long.MaxValue));
    }
}
