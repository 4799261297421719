using System.Globalization;
using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Tests.Ledger;

namespace P2PEnergy.Node.Tests.Support;

/// <summary>
/// The <see cref="LedgerHarness"/> keys and genesis, re-timed for a node whose block time follows the real clock:
/// genesis a few seconds ago and 60 s intervals, so contracts a couple of intervals ahead pass gate closure.
/// Builds signed transactions against the wall clock.
/// </summary>
public sealed class LiveChain
{
    public const ulong IntervalSeconds = 60;
    /// <summary>What the harness genesis deposits (Alice and Bob 10,000,000 micro-units each).</summary>
    public const long GenesisFunds = 20_000_000;

    public LiveChain()
    {
        var document = GenesisDocument.Parse(Keys.Document.ToJson());
        // Block time is max(wall clock, last + 1 ms); a genesis in the future would pin it there, one in the far past
        // would make every contract's gate closure compare against the wrong day.
        document.GenesisTime = DateTimeOffset.UtcNow.AddSeconds(-5).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        document.IntervalSeconds = IntervalSeconds;
        document.GateClosureSeconds = 10;
        document.ReadingWindowSeconds = IntervalSeconds;
        Document = document;
    }

    /// <summary>The known keys (Operator, Alice, Bob, Carol, Stranger, Validator, ...).</summary>
    public LedgerHarness Keys { get; } = new();

    public GenesisDocument Document { get; }

    /// <summary>Every account the genesis or these tests can touch, for sums of funds.</summary>
    public IReadOnlyList<Address> KnownAccounts => new[]
    {
        Keys.Utility, Keys.Operator, Keys.Planner, Keys.Regulator, Keys.Validator, Keys.Alice, Keys.Bob, Keys.Carol, Keys.Aggregator, Keys.Stranger,
    }.Select(k => k.Address).ToList();

    /// <summary>The start (unix seconds) of the interval <paramref name="ahead"/> intervals after the current one by the wall clock.</summary>
    public static ulong IntervalAhead(int ahead) => ((ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds() / IntervalSeconds + (ulong)ahead) * IntervalSeconds;

    /// <summary>A deposit by the market operator.</summary>
    public Transaction Deposit(PrivateKey account, ulong amount, ulong nonce)
        => LedgerHarness.Envelope(new Deposit { Account = Bytes(account), Amount = amount, Reference = $"test-{nonce}", Nonce = nonce }, Keys.Operator);

    /// <summary>
    /// Contract terms two intervals ahead, small enough (100 Wh at 0.1 per kWh) that the genesis balances carry
    /// hundreds of them; the meter is the party's genesis meter (Bob's MTR-B, everyone else MTR-A).
    /// </summary>
    public EnergyContract Contract(PrivateKey seller, PrivateKey buyer, ulong nonce, ulong? validUntil = null) => new()
    {
        Seller = Bytes(seller), Buyer = Bytes(buyer),
        SellerMeter = seller == Keys.Bob ? "MTR-B" : "MTR-A", BuyerMeter = buyer == Keys.Bob ? "MTR-B" : "MTR-A",
        IntervalStart = IntervalAhead(2), IntervalCount = 1, WhPerInterval = 100, PricePerKwh = 100_000,
        Nonce = nonce, ValidUntil = validUntil ?? (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 3600,
    };

    public static ByteString Bytes(PrivateKey key) => ByteString.CopyFrom(key.Address.Bytes);
}
