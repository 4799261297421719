using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Consensus.Core;
using P2PEnergy.Node.Consensus.Wal;
using P2PEnergy.Node.Tests.Consensus.Simulation;

namespace P2PEnergy.Node.Tests.Consensus.Wal;

/// <summary>The last-signed guard refuses anything at or below its point that differs, and survives restarts.</summary>
public sealed class SignGuardTests
{
    private static readonly PrivateKey Key = new(Keccak256.Hash("guard test key"u8).Bytes);
    private static readonly Hash32 One = Keccak256.Hash("one"u8), Two = Keccak256.Hash("two"u8);

    [Fact]
    public void FreshGuard_AllowsAnything()
        => Assert.Null(SignGuard.Load(new MemoryWalStorage()).Check(1, 0, Step.Propose, One, out _));

    [Fact]
    public void SameStepSameDigest_ReusesTheSignature_DifferentDigest_IsRefused()
    {
        var storage = new MemoryWalStorage();
        var guard = SignGuard.Load(storage);
        var signature = Key.Sign(One);
        guard.Record(5, 2, Step.Prevote, One, signature);
        Assert.Null(guard.Check(5, 2, Step.Prevote, One, out var reuse));
        Assert.Equal(signature, reuse);
        Assert.Contains("already signed Prevote at 5/2", guard.Check(5, 2, Step.Prevote, Two, out _));
    }

    [Fact]
    public void AnythingBelowTheLastSigned_IsRefused_AnythingAbove_Allowed()
    {
        var guard = SignGuard.Load(new MemoryWalStorage());
        guard.Record(5, 2, Step.Prevote, One, Key.Sign(One));
        Assert.Contains("below the last signed", guard.Check(5, 2, Step.Propose, Two, out _));
        Assert.Contains("below the last signed", guard.Check(5, 1, Step.Precommit, Two, out _));
        Assert.Contains("below the last signed", guard.Check(4, 9, Step.Precommit, Two, out _));
        Assert.Null(guard.Check(5, 2, Step.Precommit, Two, out _));
        Assert.Null(guard.Check(5, 3, Step.Propose, Two, out _));
        Assert.Null(guard.Check(6, 0, Step.Propose, Two, out _));
    }

    [Fact]
    public void Record_SurvivesARestart_AndNeverMovesBack()
    {
        var storage = new MemoryWalStorage();
        var guard = SignGuard.Load(storage);
        guard.Record(ulong.MaxValue - 1, 3, Step.Precommit, One, Key.Sign(One));
        guard.Record(2, 0, Step.Propose, Two, Key.Sign(Two)); // lower: ignored
        guard.Persist();
        storage.Crash(new SimRandom(1)); // atomic writes are all there after a crash
        var reloaded = SignGuard.Load(storage).Last!;
        Assert.Equal((ulong.MaxValue - 1, 3, Step.Precommit, One), (reloaded.Height, reloaded.Round, reloaded.Step, reloaded.Digest));
    }

    [Fact]
    public void Record_IsInMemoryUntilPersist_ThenWrittenOnce()
    {
        var storage = new MemoryWalStorage();
        var guard = SignGuard.Load(storage);
        guard.Record(3, 0, Step.Prevote, One, Key.Sign(One));
        Assert.Contains("already signed", guard.Check(3, 0, Step.Prevote, Two, out _)); // refused at once, in memory
        Assert.Null(SignGuard.Load(storage).Last); // nothing on disk yet
        guard.Persist();
        int writes = storage.Writes;
        guard.Persist(); // unchanged since: no write
        Assert.Equal(writes, storage.Writes);
        Assert.Equal((3UL, Step.Prevote), (SignGuard.Load(storage).Last!.Height, SignGuard.Load(storage).Last!.Step));
    }

    [Fact]
    public void DamagedGuardFile_RefusesToStart()
    {
        var storage = new MemoryWalStorage();
        storage.Overwrite(SignGuard.FileName, "{\"height\":\"x\"}"u8.ToArray());
        var e = Assert.Throws<InvalidOperationException>(() => SignGuard.Load(storage));
        Assert.Contains("last-signed.json cannot be read", e.Message);
        storage.Overwrite(SignGuard.FileName, "{\"height\":\"1\",\"round\":0,\"step\":7,\"digest\":\"0x00\",\"signature\":\"0x00\"}"u8.ToArray());
        Assert.Contains("cannot be read", Assert.Throws<InvalidOperationException>(() => SignGuard.Load(storage)).Message);
    }
}
