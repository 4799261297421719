using System.Numerics;
using P2PEnergy.Anchor.Evm;
using P2PEnergy.Anchor.Tests.Support;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using Xunit.Abstractions;

namespace P2PEnergy.Anchor.Tests.Evm;

/// <summary>
/// The rules of P2PEnergyAnchor.sol, each against a Hardhat node: a checkpoint is anchored only on precommits of more than
/// 2/3 of the power for the header it recomputes, and every other case reverts with the custom error that names it.
/// </summary>
[Trait("Category", "Integration")]
public sealed class AnchorContractTests(HardhatFixture hardhat, ITestOutputHelper output) : IClassFixture<HardhatFixture>
{
    private static SubmitCheckpointFunction Call(TestValidators validators, BlockHeader header, IEnumerable<int> signers, IReadOnlyList<(Address, long)>? next = null)
        => AnchorCheckpoint.From(validators.Commit(header, signers), next);

    [EvmFact]
    public async Task Checkpoint_SignedByMoreThanTwoThirds_IsStoredAndAnnounced()
    {
        var validators = new TestValidators("four", 4);
        using var anchor = await hardhat.DeployAsync(validators);
        var header = validators.Header(5);
        var (revert, _) = await HardhatFixture.SubmitAsync(anchor, Call(validators, header, [0, 1, 3]));
        Assert.Null(revert);
        Assert.Equal(5UL, await anchor.LastHeightAsync());
        Assert.Equal(BlockHeaderHashing.Hash(header), await anchor.CheckpointAsync(5));
        var anchored = Assert.Single(await anchor.CheckpointEventsAsync());
        Assert.Equal(5UL, anchored.Height);
        Assert.Equal(30UL, anchored.SignedPower);
        Assert.Equal(40UL, anchored.TotalPower);
    }

    [EvmFact]
    public async Task Gas_PerCheckpoint_FourAndSevenValidators()
    {
        foreach (int count in new[] { 4, 7 })
        {
            var validators = new TestValidators($"gas-{count}", count);
            using var anchor = await hardhat.DeployAsync(validators);
            int quorum = count * 2 / 3 + 1;
            // A first checkpoint pays once for making lastHeight non-zero; the figures are for every one after it.
            await HardhatFixture.SubmitAsync(anchor, Call(validators, validators.Header(5), Enumerable.Range(0, count)));
            var (_, all) = await HardhatFixture.SubmitAsync(anchor, Call(validators, validators.Header(10), Enumerable.Range(0, count)));
            var (_, minimum) = await HardhatFixture.SubmitAsync(anchor, Call(validators, validators.Header(20), Enumerable.Range(0, quorum)));
            output.WriteLine($"gas per checkpoint, {count} validators: {all} with all {count} signatures, {minimum} with {quorum} (the least above 2/3)");
            var (_, deployGas) = await AnchorClient.DeployAsync(hardhat.Node.Url, hardhat.Sender, TestValidators.LedgerChainId, validators.Set, TimeSpan.FromSeconds(30));
            var successor = new TestValidators($"gas-{count}-next", count);
            var (_, handOver) = await HardhatFixture.SubmitAsync(anchor, Call(validators, validators.Header(30, next: successor.SetHash), Enumerable.Range(0, count), successor.Set));
            output.WriteLine($"  deployment with {count} validators: {deployGas} gas; a checkpoint handing over to another {count}: {handOver} gas");
            // The bound keeps a regression visible: ecrecover is 3,000 gas a signature, a new storage slot 22,100.
            Assert.InRange((long)all, 60_000, 80_000 + 12_000 * count);
            Assert.True(minimum < all);
        }
    }

    [EvmFact]
    public async Task Checkpoint_WithExactlyTwoThirds_RevertsInsufficientPower()
    {
        // 2 of 3 equal powers: 2/3 exactly, which is not *more than* 2/3 (Quorum.TwoThirds).
        var validators = new TestValidators("three", 3);
        using var anchor = await hardhat.DeployAsync(validators);
        var (revert, _) = await HardhatFixture.SubmitAsync(anchor, Call(validators, validators.Header(1), [0, 2]));
        Assert.Equal("InsufficientPower", revert?.Error);
        Assert.Equal("signed=20, total=30", revert!.Detail);
    }

    [EvmFact]
    public async Task Checkpoint_WithLessThanTwoThirdsOfSeven_RevertsInsufficientPower()
    {
        var validators = new TestValidators("seven", 7);
        using var anchor = await hardhat.DeployAsync(validators);
        var (revert, _) = await HardhatFixture.SubmitAsync(anchor, Call(validators, validators.Header(1), [0, 1, 2, 3]));
        Assert.Equal("InsufficientPower", revert?.Error);
        var (passed, _) = await HardhatFixture.SubmitAsync(anchor, Call(validators, validators.Header(1), [0, 1, 2, 3, 4]));
        Assert.Null(passed);
    }

    [EvmFact]
    public async Task Power_CountsNotHeads_UnevenSet()
    {
        // Powers 70, 10, 10, 10: the big validator alone holds 70 % (> 2/3); the three others together only 30 %.
        var validators = new TestValidators("uneven", 4, i => i == 2 ? 70 : 10);
        using var anchor = await hardhat.DeployAsync(validators);
        Assert.Equal("InsufficientPower", (await HardhatFixture.SubmitAsync(anchor, Call(validators, validators.Header(1), [0, 1, 3]))).Revert?.Error);
        Assert.Null((await HardhatFixture.SubmitAsync(anchor, Call(validators, validators.Header(1), [2]))).Revert);
    }

    [EvmFact]
    public async Task Heights_MustStrictlyIncrease_StaleHeight()
    {
        var validators = new TestValidators("stale", 4);
        using var anchor = await hardhat.DeployAsync(validators);
        Assert.Null((await HardhatFixture.SubmitAsync(anchor, Call(validators, validators.Header(7), [0, 1, 2, 3]))).Revert);
        foreach (ulong height in new ulong[] { 7, 6 })
        {
            var (revert, _) = await HardhatFixture.SubmitAsync(anchor, Call(validators, validators.Header(height), [0, 1, 2, 3]));
            Assert.Equal("StaleHeight", revert?.Error);
            Assert.Equal($"height={height}, lastHeight=7", revert!.Detail);
        }
    }

    [EvmFact]
    public async Task HeaderFields_ThatDoNotHashToTheSignedBlock_RevertHeaderMismatch()
    {
        var validators = new TestValidators("mismatch", 4);
        using var anchor = await hardhat.DeployAsync(validators);
        var call = Call(validators, validators.Header(3), [0, 1, 2, 3]);
        call.Header.AppHash = Keccak256.Hash("another state"u8).ToArray();
        Assert.Equal("HeaderMismatch", (await HardhatFixture.SubmitAsync(anchor, call)).Revert?.Error);
    }

    [EvmFact]
    public async Task HeaderOfAnotherLedger_RevertsWrongChain()
    {
        var validators = new TestValidators("chain", 4);
        using var anchor = await hardhat.DeployAsync(validators);
        var (revert, _) = await HardhatFixture.SubmitAsync(anchor, Call(validators, validators.Header(3, chainId: 7), [0, 1, 2, 3]));
        Assert.Equal("WrongChain", revert?.Error);
        Assert.Equal("got=7, expected=31337", revert!.Detail);
    }

    [EvmFact]
    public async Task VotesOnAnotherDomainOrOfAnotherType_DoNotRecoverToValidators()
    {
        var validators = new TestValidators("domain", 4);
        using var anchor = await hardhat.DeployAsync(validators);
        // Signed on ledger 7's EIP-712 domain for a header that claims ledger 31337: recovers to strangers.
        var otherDomain = AnchorCheckpoint.From(validators.Commit(validators.Header(3), [0, 1, 2, 3], signingChainId: 7), null);
        Assert.Equal("NotAValidator", (await HardhatFixture.SubmitAsync(anchor, otherDomain)).Revert?.Error);
        // A commit of round 1 presented as round 0: the signed CommitVote differs, so do the recovered addresses.
        var wrongRound = AnchorCheckpoint.From(validators.Commit(validators.Header(3), [0, 1, 2, 3], round: 1), null);
        wrongRound.Round = 0;
        Assert.Equal("NotAValidator", (await HardhatFixture.SubmitAsync(anchor, wrongRound)).Revert?.Error);
    }

    [EvmFact]
    public async Task MalleableSignature_UpperHalfS_IsRefused()
    {
        var validators = new TestValidators("malleable", 4);
        using var anchor = await hardhat.DeployAsync(validators);
        var call = Call(validators, validators.Header(3), [0, 1, 2, 3]);
        // (r, n - s, v ^ 1) recovers to the same signer: the twin a relayer could make of any signature (EIP-2).
        var twin = call.Signatures[1];
        var s = new BigInteger(twin.S, isUnsigned: true, isBigEndian: true);
        twin.S = (Signature.N - s).ToByteArray(isUnsigned: true, isBigEndian: true);
        twin.V = (byte)(twin.V == 27 ? 28 : 27);
        var (revert, _) = await HardhatFixture.SubmitAsync(anchor, call);
        Assert.Equal("MalleableSignature", revert?.Error);
        Assert.Equal("index=1", revert!.Detail);
    }

    [EvmFact]
    public async Task DuplicateSigner_IsRefused_SignersNotAscending()
    {
        var validators = new TestValidators("duplicate", 4);
        using var anchor = await hardhat.DeployAsync(validators);
        // Two real precommits and one repeated: 3 signatures by heads, but only 20 of 40 power.
        var call = Call(validators, validators.Header(3), [0, 1]);
        call.Signatures.Add(call.Signatures[1]);
        Assert.Equal("SignersNotAscending", (await HardhatFixture.SubmitAsync(anchor, call)).Revert?.Error);
    }

    [EvmFact]
    public async Task Outsider_IsRefused_NotAValidator_AndBrokenSignature_BadSignature()
    {
        var validators = new TestValidators("outsider", 4);
        var outsiders = new TestValidators("outsider-others", 4);
        using var anchor = await hardhat.DeployAsync(validators);
        var header = validators.Header(3);
        var foreign = AnchorCheckpoint.From(outsiders.Commit(header, [0, 1, 2, 3]), null);
        Assert.Equal("NotAValidator", (await HardhatFixture.SubmitAsync(anchor, foreign)).Revert?.Error);
        var broken = Call(validators, header, [0, 1, 2, 3]);
        broken.Signatures[2].V = 29;
        var revert = (await HardhatFixture.SubmitAsync(anchor, broken)).Revert;
        Assert.Equal("BadSignature", revert?.Error);
        Assert.Equal("index=2", revert!.Detail);
    }

    [EvmFact]
    public async Task ValidatorSetChange_SignedByTheOldSet_HandsOverToTheNewSet()
    {
        var old = new TestValidators("handover-old", 4);
        var successor = new TestValidators("handover-new", 7, i => 5 + i);
        using var anchor = await hardhat.DeployAsync(old);
        // Header 10 (signed by the old set) commits to the new set for height 11.
        var change = old.Header(10, next: successor.SetHash);
        var withoutSet = Call(old, change, [0, 1, 2], successor.Set);
        withoutSet.NextValidators = [];
        Assert.Equal("NextValidatorSetMismatch", (await HardhatFixture.SubmitAsync(anchor, withoutSet)).Revert?.Error);
        Assert.Null((await HardhatFixture.SubmitAsync(anchor, Call(old, change, [0, 1, 2], successor.Set))).Revert);
        Assert.Equal(successor.SetHash, await anchor.ValidatorSetHashAsync());
        Assert.Equal((ulong)successor.Powers.Sum(), await anchor.TotalPowerAsync());
        // From now on the old set's signatures count for nothing, and the new set's do.
        Assert.Equal("ValidatorSetMismatch", (await HardhatFixture.SubmitAsync(anchor, Call(old, old.Header(11), [0, 1, 2, 3]))).Revert?.Error);
        var outsider = AnchorCheckpoint.From(old.Commit(successor.Header(11), [0, 1, 2, 3]), null);
        Assert.Equal("NotAValidator", (await HardhatFixture.SubmitAsync(anchor, outsider)).Revert?.Error);
        Assert.Null((await HardhatFixture.SubmitAsync(anchor, Call(successor, successor.Header(11), [0, 1, 2, 3, 4, 5, 6]))).Revert);
    }

    [EvmFact]
    public async Task ValidatorSetChange_WithAnotherSet_RevertsNextValidatorSetMismatch()
    {
        var old = new TestValidators("wrongset-old", 4);
        var successor = new TestValidators("wrongset-new", 4);
        var impostor = new TestValidators("wrongset-impostor", 4);
        using var anchor = await hardhat.DeployAsync(old);
        var change = old.CommitByAll(old.Header(10, next: successor.SetHash));
        var call = AnchorCheckpoint.From(change, successor.Set);
        call.NextValidators = AnchorCheckpoint.ToInput(impostor.Set);
        Assert.Equal("NextValidatorSetMismatch", (await HardhatFixture.SubmitAsync(anchor, call)).Revert?.Error);
        // A set passed where the header commits to none is refused too.
        var unchanged = AnchorCheckpoint.From(old.CommitByAll(old.Header(10)), null);
        unchanged.NextValidators = AnchorCheckpoint.ToInput(successor.Set);
        Assert.Equal("NextValidatorSetMismatch", (await HardhatFixture.SubmitAsync(anchor, unchanged)).Revert?.Error);
    }

    [EvmFact]
    public async Task ValidatorSetChange_ToAnUnsortedList_IsRefusedOnChain()
    {
        // A header committing to the hash of an unsorted encoding (the ledger never makes one): the hash matches, the
        // contract's own sortedness check still refuses to install it.
        var old = new TestValidators("unsorted-old", 4);
        var successor = new TestValidators("unsorted-new", 3);
        var reversed = successor.Set.Reverse().ToList();
        var packed = reversed.SelectMany(v => v.Address.Bytes.ToArray().Concat(BitConverter.GetBytes(v.Power).Reverse())).ToArray();
        var header = old.Header(10, next: Keccak256.Hash(packed));
        using var anchor = await hardhat.DeployAsync(old);
        var block = old.CommitByAll(header);
        var call = new SubmitCheckpointFunction
        {
            Header = AnchorCheckpoint.ToInput(header), BlockHash = block.Commit.BlockHash.ToByteArray(), Round = 0,
            Signatures = AnchorCheckpoint.ToInput(block.Commit),
            NextValidators = reversed.Select(v => new ValidatorInput { Address = v.Address.ToString(), Power = (ulong)v.Power }).ToList(),
        };
        var revert = (await HardhatFixture.SubmitAsync(anchor, call)).Revert;
        Assert.Equal("InvalidValidatorSet", revert?.Error);
        Assert.Contains("sorted by address", revert!.Detail);
    }
}
