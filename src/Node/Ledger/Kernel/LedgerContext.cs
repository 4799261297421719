using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Energy;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Node.Ledger.Kernel;

/// <summary>
/// What a transaction handler sees: the chain parameters, the block's height and BFT time, and typed access
/// to state through an overlay. The only clock is <see cref="TimeSeconds"/> from the block header. Position is the
/// executing transaction's index in its block, -1 for block-level work (settlement).
/// </summary>
public sealed class LedgerContext(ChainParameters parameters, StateOverlay state, ulong height, long timeMs, int position = -1)
{
    public ChainParameters Parameters { get; } = parameters;
    public StateOverlay State { get; } = state;
    public ulong Height { get; } = height;
    public long TimeMs { get; } = timeMs;
    /// <summary>Index of the executing transaction in its block (-1 outside a transaction): with <see cref="Height"/>, where it committed.</summary>
    public int Position { get; } = position;
    /// <summary>Block time in whole unix seconds (floor), the unit of every time field in signed structs.</summary>
    public ulong TimeSeconds => (ulong)(TimeMs / 1000);

    public AccountState? Account(Address address) => Read(StateKeys.Account(address), AccountState.Parser);
    public void Put(AccountState account) => State.Set(StateKeys.Account(Address.FromBytes(account.Address.Span)), account.ToByteArray());

    public MeterState? Meter(string id) => Read(StateKeys.Meter(id), MeterState.Parser);
    public void Put(MeterState meter) => State.Set(StateKeys.Meter(meter.Meter), meter.ToByteArray());

    public ContractState? Contract(Hash32 id) => Read(StateKeys.Contract(id), ContractState.Parser);
    public void Put(ContractState contract) => State.Set(StateKeys.Contract(Hash32.FromBytes(contract.Id.Span)), contract.ToByteArray());

    public OfferState? Offer(Hash32 id) => Read(StateKeys.Offer(id), OfferState.Parser);
    public void Put(OfferState offer) => State.Set(StateKeys.Offer(Hash32.FromBytes(offer.Id.Span)), offer.ToByteArray());

    /// <summary>Replay protection: a payload id commits once (NONCE_REUSED).</summary>
    public void MarkUsed(Hash32 payloadId, string what)
    {
        var key = StateKeys.Used(payloadId);
        if (State.Get(key) is not null)
            throw new LedgerRejection(ReasonCodes.NonceReused, $"{what} {payloadId} has already been committed (change the nonce to submit a new one)");
        State.Set(key, []);
    }

    /// <summary>The account, which must exist.</summary>
    public AccountState RequireAccount(Address address, string role)
        => Account(address) ?? throw new LedgerRejection(ReasonCodes.NotAdmitted, $"{role} {address} is not an admitted participant");

    /// <summary>An admitted, unsuspended participant that may trade (DSO rules are checked separately).</summary>
    public AccountState RequireActiveParticipant(Address address, string role)
    {
        var account = RequireAccount(address, role);
        if (!account.Admitted) throw new LedgerRejection(ReasonCodes.NotAdmitted, $"{role} {address} is not admitted");
        if (account.Suspended) throw new LedgerRejection(ReasonCodes.Suspended, $"{role} {address} is suspended: {account.SuspensionReason}");
        return account;
    }

    /// <summary>The signed struct's time limit (unix seconds) must not have passed at this block's time.</summary>
    public void RequireNotExpired(ulong validUntil, string what)
    {
        if (TimeSeconds > validUntil)
            throw new LedgerRejection(ReasonCodes.Expired, $"{what} expired at {IsoTime.Format(validUntil)}, block time is {IsoTime.Format(TimeSeconds)}");
    }

    /// <summary>
    /// The end of <paramref name="count"/> intervals from <paramref name="start"/>; a run that would pass 2^64 − 1 unix
    /// seconds is refused as a time out of range (INVALID_ARGUMENT naming <paramref name="field"/>), not an overflow.
    /// </summary>
    public static ulong IntervalsEnd(ulong start, uint count, ulong intervalSeconds, string field)
    {
        var end = (UInt128)start + (UInt128)count * intervalSeconds;
        return end <= ulong.MaxValue ? (ulong)end
            : throw new LedgerRejection(ReasonCodes.InvalidArgument, $"{field} {start} plus {count} intervals of {intervalSeconds} s ends after the last unix second the ledger can hold ({ulong.MaxValue}): a time out of range");
    }

    private T? Read<T>(string key, MessageParser<T> parser) where T : class, IMessage<T>
        => State.Get(key) is { } bytes ? parser.ParseFrom(bytes.AsSpan()) : null;
}
