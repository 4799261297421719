using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Node.Ledger.State;

/// <summary>
/// The key scheme of ledger state. Numbers in keys are written by <see cref="Number"/> (a length digit, then lower-case
/// hex) so ordinal key order is numeric order; addresses and ids are lower-case hex.
/// </summary>
/// <remarks>
/// <para>
/// Keys are short because every block sorts, hashes (dictionaries, the app hash's Keccak) and stores each of its keys:
/// a contract writes seven rows, and with 20-digit decimal numbers and long prefixes their keys were ≈ 580 bytes, more
/// than the values; now they are ≈ 390 (docs/benchmarks.md, "Issue 15: block execution per contract").
/// </para>
/// <para>
/// The contract indexes are keyed by where the contract committed (block height, then the transaction's position in
/// the block), not by its id: ids are hashes, so id-keyed entries land on a random b-tree page each and every
/// contract dirtied one page per index entry in the store's commit; commit-ordered entries append, a block's worth
/// to a handful of pages. That took the store's commit from ~45 to ~25 µs per contract under load (docs/benchmarks.md).
/// So both indexes list contracts in commit order. A party-index entry holds the contract id; an interval-index entry
/// holds what settlement and dispatch need of the contract (ContractDue, id included).
/// </para>
/// </remarks>
public static class StateKeys
{
    public const string AccountPrefix = "acct/";
    public const string MeterPrefix = "meter/";
    public const string ContractPrefix = "contract/";
    /// <summary>Party index: party/&lt;party&gt;/&lt;height&gt;/&lt;position&gt; → contract id, in commit order.</summary>
    public const string ContractByPartyPrefix = "party/";
    /// <summary>Interval index: due/&lt;end of the last interval&gt;/&lt;height&gt;/&lt;position&gt; → ContractDue.</summary>
    public const string ContractByIntervalPrefix = "due/";
    public const string OfferPrefix = "offer/";
    /// <summary>Owner index of meters: meter-by-owner/&lt;owner&gt;/&lt;meter&gt; (empty value); meters never change owner.</summary>
    public const string MeterByOwnerPrefix = "meter-by-owner/";
    /// <summary>Who delegated to an aggregator: delegator/&lt;aggregator&gt;/&lt;member&gt; (empty value), while the delegation is active.</summary>
    public const string DelegatorPrefix = "delegator/";
    public const string UsedPrefix = "used/";
    /// <summary>Per-signer nonce index (see NonceIndex): nonce/&lt;signer&gt;/&lt;struct&gt;/&lt;nonce&gt;, so one signer's entries sit together.</summary>
    public const string NoncePrefix = "nonce/";
    /// <summary>Where the bounded sweep of expired nonce entries resumes (the last key it examined).</summary>
    public const string NonceSweepCursor = "nonce-sweep";
    /// <summary>FeeHistory records, one per fee-schedule part.</summary>
    public const string DmoFees = "fees/dmo";
    public const string GridFees = "fees/grid";
    public const string PolrTariff = "fees/polr";
    public const string BaselinePrefix = "baseline/";
    public const string ReadingPrefix = "reading/";
    public const string GridModelPrefix = "grid/model/";
    /// <summary>Validator sets by the height they take effect from (SetValidatorSet, nonce cleared).</summary>
    public const string ValidatorSetPrefix = "validators/from/";

    /// <summary>Snapshot heights: the validators in force, their attestations, the tallies and the certificate (SnapshotCertification).</summary>
    public const string SnapshotPrefix = "snapshot/";

    /// <summary>Committed misbehaviour (Evidence): misbehaviour/&lt;height&gt;/&lt;validator&gt;/&lt;round&gt;/&lt;vote type&gt;, listed by height.</summary>
    public const string MisbehaviourPrefix = "misbehaviour/";

    public static string Account(Address address) => Hex.Encode(AccountPrefix, address.Bytes, "");
    public static string Meter(string meterId) => MeterPrefix + meterId;
    public static string MeterByOwner(Address owner, string meterId) => Hex.Encode(MeterByOwnerPrefix, owner.Bytes, "/" + meterId);
    public static string MeterByOwnerScan(Address owner) => Hex.Encode(MeterByOwnerPrefix, owner.Bytes, "/");
    public static string Delegator(Address aggregator, Address member) => Hex.Encode(DelegatorPrefix, aggregator.Bytes, "/" + member.ToLowerHex());
    public static string DelegatorScan(Address aggregator) => Hex.Encode(DelegatorPrefix, aggregator.Bytes, "/");
    public static string Contract(Hash32 id) => Hex.Encode(ContractPrefix, id.Bytes, "");
    /// <summary>Party index entry of the contract committed by the transaction at <paramref name="position"/> of block <paramref name="height"/>.</summary>
    public static string ContractByParty(Address party, ulong height, int position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        int length = ContractByPartyPrefix.Length + KeyWriter.HexLength(party.Bytes.Length) + 2 + KeyWriter.NumberLength(height) + KeyWriter.NumberLength((ulong)position);
        return string.Create(length, (party, height, position), static (chars, key) =>
        {
            var w = new KeyWriter(chars);
            w.Text(ContractByPartyPrefix); w.Hex(key.party.Bytes); w.Char('/'); w.Number(key.height); w.Char('/'); w.Number((ulong)key.position);
        });
    }
    public static string ContractByPartyScan(Address party) => Hex.Encode(ContractByPartyPrefix, party.Bytes, "/");
    /// <summary>Interval index entry: contracts by the end of their last interval, then in commit order.</summary>
    public static string ContractByInterval(ulong intervalEnd, ulong height, int position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        int length = ContractByIntervalPrefix.Length + KeyWriter.NumberLength(intervalEnd) + 2 + KeyWriter.NumberLength(height) + KeyWriter.NumberLength((ulong)position);
        return string.Create(length, (intervalEnd, height, position), static (chars, key) =>
        {
            var w = new KeyWriter(chars);
            w.Text(ContractByIntervalPrefix); w.Number(key.intervalEnd); w.Char('/'); w.Number(key.height); w.Char('/'); w.Number((ulong)key.position);
        });
    }
    /// <summary>Where a range scan of the interval index starts to see only contracts that end after <paramref name="after"/>.</summary>
    public static string ContractByIntervalEndingAfter(ulong after) => ContractByIntervalPrefix + Number(checked(after + 1));
    public static string Offer(Hash32 id) => Hex.Encode(OfferPrefix, id.Bytes, "");
    /// <summary>Marks a payload id (EIP-712 digest) as committed: replay protection (NONCE_REUSED).</summary>
    public static string Used(Hash32 payloadId) => Hex.Encode(UsedPrefix, payloadId.Bytes, "");
    public static string Nonce(Address signer, string structName, ulong nonce)
    {
        int length = NoncePrefix.Length + KeyWriter.HexLength(signer.Bytes.Length) + 2 + structName.Length + KeyWriter.NumberLength(nonce);
        return string.Create(length, (signer, structName, nonce), static (chars, key) =>
        {
            var w = new KeyWriter(chars);
            w.Text(NoncePrefix); w.Hex(key.signer.Bytes); w.Char('/'); w.Text(key.structName); w.Char('/'); w.Number(key.nonce);
        });
    }
    public static string Baseline(ulong intervalStart, string element) => BaselinePrefix + Number(intervalStart) + "/" + element;
    public static string Reading(ulong intervalStart, string meterId) => ReadingPrefix + Number(intervalStart) + "/" + meterId;
    public static string GridModel(ulong effectiveFrom) => GridModelPrefix + Number(effectiveFrom);
    public static string ValidatorSet(ulong fromHeight) => ValidatorSetPrefix + Number(fromHeight);
    public static string SnapshotValidators(ulong height) => SnapshotPrefix + Number(height) + "/validators";
    public static string SnapshotAttestation(ulong height, Address validator) => Hex.Encode(SnapshotPrefix + Number(height) + "/attest/", validator.Bytes, "");
    public static string SnapshotAttestationScan(ulong height) => SnapshotPrefix + Number(height) + "/attest/";
    public static string SnapshotTally(ulong height, Hash32 stateRoot, Hash32 appHash)
        => Hex.Encode(SnapshotPrefix + Number(height) + "/tally/", stateRoot.Bytes, "/" + Convert.ToHexStringLower(appHash.Bytes));
    public static string SnapshotCertificate(ulong height) => SnapshotPrefix + Number(height) + "/certified";
    public static string Misbehaviour(ulong height, Address validator, uint round, int voteType)
        => Hex.Encode(MisbehaviourPrefix + Number(height) + "/", validator.Bytes, "/" + Number(round) + "/" + voteType.ToString(System.Globalization.CultureInfo.InvariantCulture));
    /// <summary>
    /// A number as it appears in keys: one hex digit giving the count of digits less one, then the number in lower-case
    /// hex without leading zeros (0 → "00", 255 → "1ff", 4096 → "31000", ulong.MaxValue → "f" and 16 f's). Ordinal
    /// order of the strings is numeric order (more digits sort later, equal counts compare digit by digit), and no
    /// encoding is a prefix of another, so "prefix/" + Number(n) + "/" holds exactly n's entries and a scan from
    /// prefix + Number(n) starts at the first entry ≥ n. A block height takes 6–8 characters instead of 20.
    /// </summary>
    public static string Number(ulong value) => string.Create(KeyWriter.NumberLength(value), value, static (chars, v) =>
    {
        var w = new KeyWriter(chars);
        w.Number(v);
    });

    /// <summary>
    /// Reads a <see cref="Number"/> at the start of <paramref name="text"/>: the value and how many characters it took.
    /// Anything else (a missing or non-hex digit, leading zeros, too short) throws <see cref="FormatException"/> naming the text.
    /// </summary>
    public static (ulong Value, int Length) ParseNumber(ReadOnlySpan<char> text)
    {
        int digits = text.IsEmpty ? -1 : HexDigits.IndexOf(text[0]) + 1;
        if (digits <= 0 || text.Length < digits + 1 || (digits > 1 && text[1] == '0'))
            throw new FormatException($"'{text}' does not start with a key number (a length digit 0-f, then that many lower-case hex digits plus one, no leading zeros)");
        ulong value = 0;
        for (int i = 1; i <= digits; i++)
        {
            int digit = HexDigits.IndexOf(text[i]);
            if (digit < 0) throw new FormatException($"'{text}' does not start with a key number: '{text[i]}' at {i} is not a lower-case hex digit");
            value = value << 4 | (uint)digit;
        }
        return (value, digits + 1);
    }

    /// <summary>The digits of a key <see cref="Number"/> (written by <see cref="KeyWriter.Number"/>).</summary>
    internal const string HexDigits = "0123456789abcdef";
}
