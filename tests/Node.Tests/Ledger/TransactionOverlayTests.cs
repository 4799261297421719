using Google.Protobuf;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.Kernel;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Tests.Ledger;

/// <summary>
/// A block runs every transaction in one reused overlay (StateOverlay.Discard / MergeInto): a refused transaction
/// leaves no write behind, for the transactions after it in the block either.
/// </summary>
public class TransactionOverlayTests
{
    [Fact]
    public void RefusedTransaction_FollowedByAnAcceptedOne_LeavesNoWriteInTheBlock()
    {
        var h = new LedgerHarness();
        // The refused contract gets past the nonce index (it writes both parties' nonce 5) and fails on the buyer's funds.
        var refused = h.Contract(h.Alice, h.Bob, wh: 20_000, price: 1_000_000, count: 10, nonce: 5);
        var accepted = h.Contract(h.Alice, h.Bob, nonce: 6);
        var items = new[] { LedgerHarness.Envelope(refused, h.Alice, h.Bob), LedgerHarness.Envelope(accepted, h.Alice, h.Bob) }
            .Select(t => (t.ToByteArray(), (VerifiedTransaction?)null)).ToList();
        var execution = h.Executor.Execute(h.State, h.AppHash, h.Height + 1, h.TimeMs + 1000, items);
        Assert.Equal([ReasonCodes.InsufficientFunds, ReasonCodes.Ok], execution.Results.Select(r => r.Code));
        var keys = execution.Changes.Select(c => c.Key).ToHashSet();
        Assert.DoesNotContain(StateKeys.Nonce(h.Alice.Address, nameof(EnergyContract), 5), keys);
        Assert.DoesNotContain(StateKeys.Nonce(h.Bob.Address, nameof(EnergyContract), 5), keys);
        Assert.Contains(StateKeys.Nonce(h.Alice.Address, nameof(EnergyContract), 6), keys);
        Assert.DoesNotContain(StateKeys.Contract(LedgerTypedData(refused)), keys);
        Assert.Contains(StateKeys.Contract(LedgerTypedData(accepted)), keys);
    }

    [Fact]
    public void Discard_AfterAScanSortedTheKeys_ReadsThroughAgain_AndTheOverlayIsReusable()
    {
        var below = new MemoryState();
        below.Apply([new StateChange("k/a", [1])]);
        var block = new StateOverlay(below);
        var overlay = new StateOverlay(block);
        overlay.Set("k/a", [2]);
        overlay.Set("k/b", [3]);
        using (var scan = overlay.Scan("k/").GetEnumerator()) Assert.True(scan.MoveNext()); // sorts the keys, leaves a scan open
        overlay.Discard();
        Assert.Equal([1], overlay.Get("k/a"));
        Assert.Null(overlay.Get("k/b"));
        Assert.Equal(["k/a"], overlay.Scan("k/").Select(kv => kv.Key));
        Assert.Empty(overlay.Changes());
        overlay.Set("k/c", [4]);
        overlay.MergeInto(block);
        Assert.Equal(0, overlay.Count);
        Assert.Equal(["k/c"], block.Changes().Select(c => c.Key));
        Assert.Equal([4], block.Get("k/c"));
    }

    private static P2PEnergy.Contracts.Crypto.Hash32 LedgerTypedData(EnergyContract terms)
        => P2PEnergy.Contracts.TypedData.LedgerTypedData.Digest(terms, LedgerHarness.ChainId);
}
