using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Node.Ledger.State;

/// <summary>
/// The key scheme of ledger state. Numbers in keys are zero-padded to 20 digits so ordinal key order is
/// numeric order; addresses and ids are lower-case hex. Index keys hold an empty value, except the interval index,
/// whose entries carry what settlement needs of their contract (ContractDue).
/// </summary>
public static class StateKeys
{
    public const string AccountPrefix = "acct/";
    public const string MeterPrefix = "meter/";
    public const string ContractPrefix = "contract/";
    public const string ContractByPartyPrefix = "contract-by-party/";
    public const string ContractByIntervalPrefix = "contract-by-interval/";
    public const string OfferPrefix = "offer/";
    public const string UsedPrefix = "used/";
    /// <summary>FeeHistory records, one per fee-schedule part.</summary>
    public const string DmoFees = "fees/dmo";
    public const string GridFees = "fees/grid";
    public const string PolrTariff = "fees/polr";
    public const string BaselinePrefix = "baseline/";
    public const string ReadingPrefix = "reading/";
    public const string GridModelPrefix = "grid/model/";

    public static string Account(Address address) => Hex.Encode(AccountPrefix, address.Bytes, "");
    public static string Meter(string meterId) => MeterPrefix + meterId;
    public static string Contract(Hash32 id) => Hex.Encode(ContractPrefix, id.Bytes, "");
    public static string ContractByParty(Address party, Hash32 id) => ContractByPartyPrefix + party.ToLowerHex() + "/" + id;
    public static string ContractByPartyScan(Address party) => Hex.Encode(ContractByPartyPrefix, party.Bytes, "/");
    public static string ContractByInterval(ulong intervalEnd, Hash32 id) => ContractByIntervalPrefix + Number(intervalEnd) + "/" + id;
    /// <summary>Where a range scan of the interval index starts to see only contracts that end after <paramref name="after"/>.</summary>
    public static string ContractByIntervalEndingAfter(ulong after) => ContractByIntervalPrefix + Number(checked(after + 1));
    public static string Offer(Hash32 id) => Hex.Encode(OfferPrefix, id.Bytes, "");
    /// <summary>Marks a payload id (EIP-712 digest) as committed: replay protection (NONCE_REUSED).</summary>
    public static string Used(Hash32 payloadId) => Hex.Encode(UsedPrefix, payloadId.Bytes, "");
    public static string Baseline(ulong intervalStart, string element) => BaselinePrefix + Number(intervalStart) + "/" + element;
    public static string Reading(ulong intervalStart, string meterId) => ReadingPrefix + Number(intervalStart) + "/" + meterId;
    public static string GridModel(ulong effectiveFrom) => GridModelPrefix + Number(effectiveFrom);
    public static string Number(ulong value) => value.ToString("D20", System.Globalization.CultureInfo.InvariantCulture);
}
