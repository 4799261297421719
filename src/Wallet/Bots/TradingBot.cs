using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;
using P2PEnergy.Wallet.Cli;
using P2PEnergy.Wallet.Device;
using P2PEnergy.Wallet.Node;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Wallet.Failures;

namespace P2PEnergy.Wallet.Bots;

/// <summary>
/// A trading bot for one participant and meter. Every tenth of an interval (at least 1 s) it looks for the interval
/// to trade (<see cref="TradingWindow"/>) and trades it once, inside what the meter's device agent published it can do
/// in that interval (<see cref="DeviceCapabilities"/>; no envelope for the interval: it sits the interval out): sellers
/// post an offer of their energy at a price in the band; buyers take the cheapest open sell offers for that interval,
/// their load's floor in the window's first tick and the rest of what the device can take in a later one
/// (<see cref="BotProfile.ToBuy"/>), until their need is met, taking what is left of an offer another buyer took first and, after a grid limit, what the
/// meter's hosting capacity admits (<see cref="TakeRetry"/>). A refused take is logged as <c>REJECTED CODE</c>. Every
/// line it writes starts with the UTC time. All time — which interval to trade, when to wait, what to log — comes from
/// <paramref name="clock"/>, so a simulation (or a test) can run it at any instant.
/// </summary>
internal sealed class TradingBot(NodeClient node, PrivateKey key, string meter, BotProfile profile, string capabilities, ulong intervalSeconds, ulong gateClosureSeconds, TextWriter log, int seed, TimeProvider clock)
{
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(30);
    private const int MaxAttemptsPerOffer = 4;
    private readonly Random _random = new(seed);
    private readonly HashSet<ulong> _traded = [];
    // What a buyer bought of an interval in its window's first tick (its floor), until it buys the rest.
    private readonly Dictionary<ulong, ulong> _floorBought = [];
    private ulong _chainId;

    /// <summary>Trades until cancelled or until <paramref name="intervals"/> intervals were traded.</summary>
    public async Task RunAsync(int? intervals, CancellationToken cancel)
    {
        _chainId = (await node.StatusAsync()).ChainId;
        Log($"bot {profile.Role} for {key.Address} on {meter}: chain {_chainId}, {intervalSeconds} s intervals, device capabilities {capabilities}");
        while (!cancel.IsCancellationRequested && (intervals is null || _traded.Count < intervals))
        {
            var window = TradingWindow.At(Now(), intervalSeconds, gateClosureSeconds, s => profile.Sells(s, intervalSeconds));
            // A floor bought for an interval whose window closed before the rest was bought: nothing more to buy there.
            foreach (var missed in _floorBought.Keys.Where(k => k < window.Start).ToList()) _floorBought.Remove(missed);
            if (window.Open && !_traded.Contains(window.Start) && !(window.FloorsOnly && _floorBought.ContainsKey(window.Start)))
            {
                bool done = true;
                try { done = await TradeAsync(window.Start, window.FloorsOnly); }
                catch (WalletException e) { Log($"interval {Terms.Format(window.Start)}: {e.Reason}: {e.Message}"); }
                if (done)
                {
                    _traded.Add(window.Start);
                    _floorBought.Remove(window.Start);
                }
            }
            if (intervals is not null && _traded.Count >= intervals) break;
            try { await Task.Delay(TradingWindow.Tick(intervalSeconds), clock, cancel); }
            catch (OperationCanceledException) { break; }
        }
    }

    // Trades the interval, or in the buyer's first tick (floorsOnly) only its floor; false when the rest is still to buy.
    private async Task<bool> TradeAsync(ulong start, bool floorsOnly)
    {
        if (DeviceCapabilities.Read(capabilities)?.For(start) is not { } device)
        {
            Log($"interval {Terms.Format(start)}: no device capabilities published for it in {capabilities}; not trading");
            return true;
        }
        var (wh, floor) = profile.Energy(device, intervalSeconds);
        if (wh == 0) { Log($"interval {Terms.Format(start)}: nothing to trade (device: import {device.MinImportWh}–{device.MaxImportWh} Wh, export ≤ {device.MaxExportWh} Wh)"); return true; }
        ulong validUntil = start - gateClosureSeconds;
        if (profile.Sells(start, intervalSeconds))
        {
            var offer = new Offer
            {
                Maker = NodeClient.Bytes(key.Address), Meter = meter, Sell = true, IntervalStart = start, IntervalCount = 1,
                WhPerInterval = wh, PricePerKwh = profile.Ask(_random), Nonce = Terms.Nonce(), ValidUntil = validUntil,
            };
            var (code, message) = await SubmitAsync(offer);
            Log($"interval {Terms.Format(start)}: sell offer {wh} Wh at {offer.PricePerKwh}/kWh: {Outcome(code, message)}");
            return true;
        }
        ulong bought = _floorBought.GetValueOrDefault(start);
        ulong want = BotProfile.ToBuy(wh, floor, bought, floorsOnly);
        if (want > 0) bought += want - await BuyAsync(start, want, validUntil);
        if (floorsOnly)
        {
            // Nothing to buy now (no floor): the rest waits for the next tick all the same.
            _floorBought[start] = bought;
            return false;
        }
        if (bought >= wh) return true;
        // A load draws its floor bought or not: what it draws beyond its contracts the POLR supplies.
        string shortfall = bought < floor ? $"; {floor - bought} Wh short of the device's floor of {floor} Wh, which the POLR supplies" : "";
        Log($"interval {Terms.Format(start)}: {wh - bought} Wh left unbought{shortfall}");
        return true;
    }

    // Takes the cheapest open offers until `need` is bought; returns what is left unbought.
    private async Task<ulong> BuyAsync(ulong start, ulong need, ulong validUntil)
    {
        var offers = await OpenOffersAsync(start);
        if (offers.Count == 0) { Log($"interval {Terms.Format(start)}: no sell offers to take for {need} Wh"); return need; }
        foreach (var offer in offers)
        {
            ulong amount = Math.Min(need, offer.RemainingWhPerInterval);
            // Each attempt waits for a block; a few keep the last one well before the gate closes.
            for (int attempt = 0; attempt < MaxAttemptsPerOffer && amount > 0; attempt++)
            {
                var take = new Take { OfferId = offer.Id, Taker = NodeClient.Bytes(key.Address), Meter = meter, WhPerInterval = amount, Nonce = Terms.Nonce(), ValidUntil = validUntil };
                var (code, message) = await SubmitAsync(take);
                Log($"interval {Terms.Format(start)}: take {amount} Wh of offer {Hex.Encode(offer.Id.Span)[..10]}… at {offer.Terms.PricePerKwh}/kWh: {Outcome(code, message)}");
                if (code == ReasonCodes.Ok) { need -= amount; break; }
                ulong left = TakeRetry.NeedsOffer(code)
                    ? (await OpenOffersAsync(start)).FirstOrDefault(o => o.Id == offer.Id)?.RemainingWhPerInterval ?? 0
                    : offer.RemainingWhPerInterval;
                ulong? headroom = TakeRetry.NeedsHostingCapacity(code) ? await ImportHeadroomAsync(start) : null;
                amount = TakeRetry.Next(code, amount, need, left, headroom);
            }
            if (need == 0) return 0;
        }
        return need;
    }

    // What the grid still admits into the meter in the interval, Wh; null when the node cannot say (the retry halves).
    private async Task<ulong?> ImportHeadroomAsync(ulong start)
    {
        try
        {
            var capacity = await node.HostingCapacityAsync(meter, start);
            return capacity.ImportW <= 0 ? 0 : (ulong)capacity.ImportW * intervalSeconds / 3600;
        }
        catch (WalletException e)
        {
            Log($"interval {Terms.Format(start)}: hosting capacity of {meter} unknown ({e.Reason}); retrying at half");
            return null;
        }
    }

    private async Task<List<OfferState>> OpenOffersAsync(ulong start)
        => (await node.OffersAsync(false))
            .Where(o => o.Terms.Sell && o.Terms.IntervalStart == start && o.RemainingWhPerInterval > 0 && o.Terms.PricePerKwh <= profile.Limit
                        && o.Terms.ValidUntil > Now() && !o.Terms.Maker.Span.SequenceEqual(key.Address.Bytes))
            .OrderBy(o => o.Terms.PricePerKwh).ToList();

    private async Task<(string Code, string Message)> SubmitAsync(IMessage body)
    {
        var transaction = Submission.Envelope(body, _chainId, [key.Sign(LedgerTypedData.Digest(body, _chainId))]);
        try
        {
            var verdict = await node.SubmitAsync(transaction);
            var status = await node.WaitAsync(verdict.TransactionId, WaitTimeout, _ => { });
            return (status.Result.Code, status.Result.Message);
        }
        catch (WalletException e) when (e.ExitCode == ExitCode.Rejected) { return (e.Reason, e.Message); }
    }

    private static string Outcome(string code, string message) => code == ReasonCodes.Ok ? ReasonCodes.Ok : $"REJECTED {code} {message}";

    private ulong Now() => (ulong)clock.GetUtcNow().ToUnixTimeSeconds();

    private void Log(string line)
    {
        log.WriteLine($"{clock.GetUtcNow():yyyy-MM-ddTHH:mm:ssZ} {line}");
        log.Flush();
    }
}
