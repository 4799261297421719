using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Energy;
using P2PEnergy.Node.Ledger.Kernel;

namespace P2PEnergy.Node.Ledger.Execution;

/// <summary>
/// "A nonce may be used once per signer" (docs/typed-data.md), per struct type: one state entry per (signer, struct,
/// nonce), keyed signer first so a busy signer's entries share b-tree pages. Structs with a validUntil (EnergyContract,
/// Offer, Take) keep their entry until then: such a struct can never commit after it (EXPIRED), so forgetting the nonce
/// later lets no replay through, and <see cref="Sweep"/> deletes expired entries a bounded number per block. Structs
/// without one (governance, funds, admission, cancellation) keep theirs for good: they are few. Meter readings carry
/// no nonce; one per meter and interval is their rule (DUPLICATE_READING).
/// </summary>
public static class NonceIndex
{
    /// <summary>Entries the sweep examines per block: bounded work, and ~22 million a day at one block a second.</summary>
    public const int SweepBudget = 256;

    /// <summary>Marks the transaction's nonce used by each of its signers; NONCE_REUSED when one already used it.</summary>
    public static void Use(LedgerContext context, VerifiedTransaction tx)
    {
        if (NonceOf(tx.Body) is not { } nonce) return;
        // One value for every signer's entry (stored values are never written to once set).
        byte[] value = TransactionVerifier.ValidUntil(tx.Body) is { } until ? Encode(until) : [];
        foreach (var signer in tx.Signers)
        {
            var key = StateKeys.Nonce(signer, tx.Kind, nonce);
            if (context.State.Get(key) is { } used && (used.Length == 0 || Until(used) >= context.TimeSeconds))
                throw new LedgerRejection(ReasonCodes.NonceReused,
                    $"nonce {nonce} of signer {signer} is already used by a committed {tx.Kind}{(used.Length == 0 ? "" : $" valid until {IsoTime.Format(Until(used))}")}; " +
                    "a nonce may be used once per signer and struct type");
            context.State.Set(key, value);
        }
    }

    /// <summary>
    /// Deletes expired entries among the next <see cref="SweepBudget"/> of the index, resuming where the last block
    /// stopped and starting over at the end, so the index holds little more than the unexpired nonces.
    /// </summary>
    public static void Sweep(LedgerContext context)
    {
        var state = context.State;
        string? cursor = state.Get(StateKeys.NonceSweepCursor) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;
        var batch = state.Scan(StateKeys.NoncePrefix, cursor ?? StateKeys.NoncePrefix)
            .Where(entry => cursor is null || string.CompareOrdinal(entry.Key, cursor) > 0)
            .Take(SweepBudget).ToList();
        foreach (var (key, value) in batch)
            if (value.Length == sizeof(ulong) && Until(value) < context.TimeSeconds) state.Delete(key);
        if (batch.Count == SweepBudget) state.Set(StateKeys.NonceSweepCursor, Encoding.UTF8.GetBytes(batch[^1].Key));
        else if (cursor is not null) state.Delete(StateKeys.NonceSweepCursor);
    }

    /// <summary>The nonce of a body that carries one (every transaction body but MeterReading), else null.</summary>
    internal static ulong? NonceOf(IMessage body) => body switch
    {
        EnergyContract c => c.Nonce,
        Offer o => o.Nonce,
        Take t => t.Nonce,
        CancelOffer c => c.Nonce,
        Admit a => a.Nonce,
        Suspend s => s.Nonce,
        RegisterMeter r => r.Nonce,
        Contracts.Protos.Delegate d => d.Nonce,
        Deposit d => d.Nonce,
        Withdraw w => w.Nonce,
        SetDmoFees f => f.Nonce,
        SetGridFees f => f.Nonce,
        SetPolrTariff t => t.Nonce,
        SetBaseline b => b.Nonce,
        UpdateGridModel u => u.Nonce,
        SetValidatorSet v => v.Nonce,
        _ => null,
    };

    private static byte[] Encode(ulong validUntil)
    {
        var bytes = new byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, validUntil);
        return bytes;
    }

    private static ulong Until(byte[] value) => BinaryPrimitives.ReadUInt64BigEndian(value);
}
