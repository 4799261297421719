using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Consensus.Core;
using static P2PEnergy.Node.Tests.Consensus.Core.CoreHarness;

namespace P2PEnergy.Node.Tests.Consensus.Core;

/// <summary>Proposer selection: weighted round robin by proposer priority (CometBFT's algorithm), deterministic by address.</summary>
public sealed class ProposerRotationTests
{
    private static readonly Address A = Validators[0], B = Validators[1], C = Validators[2];

    [Fact]
    public void Powers123_SelectionSequence_IsTheHandComputedOne()
    {
        // Priorities start at 0; each selection adds the powers, picks the highest (tie: lower address), takes 6 off it:
        // [1,2,3]→C [2,4,0]-→B [3,0,3]→A (tie with C) [-2,2,6]→C [-1,4,3]→B [0,0,6]→C, then it repeats.
        var rotation = new ProposerRotation(ValidatorSet.Create([(A, 1), (B, 2), (C, 3)]));
        Assert.Equal([C, B, A, C, B, C, C, B, A], Enumerable.Range(0, 9).Select(rotation.At));
    }

    [Fact]
    public void ProposalsAreProportionalToPower()
    {
        var rotation = new ProposerRotation(ValidatorSet.Create([(A, 5), (B, 3), (C, 2)]));
        var counts = Enumerable.Range(0, 1000).Select(rotation.At).GroupBy(a => a).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal((500, 300, 200), (counts[A], counts[B], counts[C]));
    }

    [Fact]
    public void EqualPowers_RotateInAddressOrder_WhateverOrderTheyWereListedIn()
    {
        var rotation = new ProposerRotation(ValidatorSet.Create([(C, 1), (A, 1), (B, 1)]));
        Assert.Equal([A, B, C, A, B, C], Enumerable.Range(0, 6).Select(rotation.At));
    }

    [Fact]
    public void NextHeight_ContinuesTheSequence()
    {
        var set = ValidatorSet.Create([(A, 1), (B, 2), (C, 3)]);
        var first = new ProposerRotation(set);
        Assert.Equal(first.At(1), new ProposerRotation(set.Next()).At(0));
        Assert.Equal(first.At(2), new ProposerRotation(set.Next().Next()).At(0));
    }

    [Fact]
    public void NewValidator_StartsBehind_SoJoiningDoesNotMakeItTheNextProposer()
    {
        var set = ValidatorSet.Create([(A, 1), (B, 1), (C, 1)]).Next();
        var joined = set.WithPowers([(A, 1), (B, 1), (C, 1), (Validators[3], 10)]);
        var newcomer = joined.Validators.Single(v => v.Address == Validators[3]);
        Assert.True(newcomer.Priority < joined.Validators.Where(v => v.Address != Validators[3]).Min(v => v.Priority));
        Assert.NotEqual(Validators[3], new ProposerRotation(joined).At(0));
    }

    [Fact]
    public void ThousandsOfRounds_StayWithinTheWindow()
    {
        var set = ValidatorSet.Create([(A, ValidatorSet.MaxTotalPower / 2), (B, 1), (C, ValidatorSet.MaxTotalPower / 2 - 1)]);
        for (int h = 0; h < 200; h++) set = set.Next();
        Assert.All(set.Validators, v => Assert.InRange(v.Priority, -2 * set.TotalPower, 2 * set.TotalPower));
        Assert.NotEqual(default, new ProposerRotation(set).At(5000));
    }

    [Fact]
    public void InvalidSets_AreRefusedNamingTheProblem()
    {
        Assert.Contains("power 0", Assert.Throws<ArgumentException>(() => ValidatorSet.Create([(A, 0)])).Message);
        Assert.Contains("listed twice", Assert.Throws<ArgumentException>(() => ValidatorSet.Create([(A, 1), (A, 2)])).Message);
        Assert.Contains("exceeds", Assert.Throws<ArgumentException>(() => ValidatorSet.Create([(A, ValidatorSet.MaxTotalPower), (B, 1)])).Message);
        Assert.Throws<ArgumentException>(() => ValidatorSet.Create([]));
    }
}
