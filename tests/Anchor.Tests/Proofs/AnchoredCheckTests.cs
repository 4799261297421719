using P2PEnergy.Anchor.Evm;
using P2PEnergy.Anchor.Proofs;
using P2PEnergy.Anchor.Tests.Support;

namespace P2PEnergy.Anchor.Tests.Proofs;

/// <summary>The online half of a proof: a checkpoint within its headers at or after the contract, holding exactly that header.</summary>
[Trait("Category", "Integration")]
public sealed class AnchoredCheckTests(HardhatFixture hardhat) : IClassFixture<HardhatFixture>
{
    [EvmFact]
    public async Task ProofReachingAnAnchoredCheckpoint_IsAnchored_OtherwiseNotYet()
    {
        var validators = new TestValidators("anchored", 7);
        var (proof, _) = new ProofFactory(validators).Contract(height: 10, to: 13);
        using var anchor = await hardhat.DeployAsync(validators);
        var before = await AnchoredCheck.VerifyAsync(proof, anchor);
        Assert.Equal(ProofReasons.NotAnchored, before.Code);
        Assert.Null((await HardhatFixture.SubmitAsync(anchor, AnchorCheckpoint.From(proof.Headers[2], null))).Revert); // block 12
        var after = await AnchoredCheck.VerifyAsync(proof, anchor);
        Assert.True(after.Holds, after.Message);
        Assert.Contains("block 12 is checkpointed", after.Message);
    }

    [EvmFact]
    public async Task ProofOfAnotherHistory_ContradictsTheAnchor()
    {
        var validators = new TestValidators("conflict", 4);
        var (anchored, _) = new ProofFactory(validators).Contract(height: 10, to: 13);
        var (forked, _) = new ProofFactory(validators).Contract(height: 11, to: 13); // other blocks at 11..13, same signers
        using var anchor = await hardhat.DeployAsync(validators);
        Assert.Null((await HardhatFixture.SubmitAsync(anchor, AnchorCheckpoint.From(anchored.Headers[3], null))).Revert); // block 13
        var verdict = await AnchoredCheck.VerifyAsync(forked, anchor);
        Assert.Equal(ProofReasons.AnchorConflict, verdict.Code);
        Assert.Contains("for height 13", verdict.Message);
    }

    [EvmFact]
    public async Task AnchorOfAnotherLedger_IsWrongLedger()
    {
        var validators = new TestValidators("ledger", 4);
        var (proof, _) = new ProofFactory(validators).Contract();
        using var anchor = await hardhat.DeployAsync(validators, ledgerChainId: 99);
        Assert.Equal(ProofReasons.WrongLedger, (await AnchoredCheck.VerifyAsync(proof, anchor)).Code);
    }
}
