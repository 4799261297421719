using System.Globalization;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Wallet.Devnet;

/// <summary>
/// Whether a devnet delivers what it trades, over a set of settled intervals: per bot role, the energy contracted
/// (each participant's net position, its meter's Σ sold − Σ bought), the energy metered in that direction, and what of
/// the contracts was delivered (per meter and interval, the metered energy up to the contracted); and the energy the
/// POLR supplied or absorbed as a share of the energy contracted (each contract counted once).
/// </summary>
public sealed record DevnetDelivery(IReadOnlyList<ulong> Intervals, IReadOnlyList<DevnetDelivery.Role> Roles, ulong ContractedWh, ulong PolrWh)
{
    /// <summary>One bot role's totals; <see cref="MeteredWh"/> counts only energy in the contracted direction.</summary>
    public sealed record Role(string Name, ulong ContractedWh, ulong MeteredWh, ulong DeliveredWh)
    {
        /// <summary>Delivered share of contracted, ‰ (1000 when nothing was contracted).</summary>
        public ulong DeliveredPermille => ContractedWh == 0 ? 1000 : DeliveredWh * 1000 / ContractedWh;
    }

    /// <summary>Delivered share of all participants' contracted energy, ‰.</summary>
    public ulong DeliveredPermille => Total.DeliveredPermille;

    /// <summary>POLR energy (supplied + absorbed) as a share of contracted energy, ‰ (0 when nothing was contracted).</summary>
    public ulong PolrPermille => ContractedWh == 0 ? 0 : PolrWh * 1000 / ContractedWh;

    /// <summary>All roles together.</summary>
    public Role Total => new("all", Sum(r => r.ContractedWh), Sum(r => r.MeteredWh), Sum(r => r.DeliveredWh));

    /// <summary>
    /// Measures <paramref name="intervals"/> (settled; each with its POLR supplied + absorbed Wh). A participant's
    /// metered net export is its contracted net export plus the imbalance its statement line records
    /// (<paramref name="imbalanceWh"/>, by address and interval; absent: none).
    /// </summary>
    public static DevnetDelivery Measure(IReadOnlyDictionary<ulong, ulong> intervals, ulong intervalSeconds, IReadOnlyList<DevnetParticipant> participants,
        IReadOnlyList<ContractState> contracts, IReadOnlyDictionary<(string Address, ulong Interval), long> imbalanceWh)
    {
        var byRole = new SortedDictionary<string, (ulong Contracted, ulong Metered, ulong Delivered)>(StringComparer.Ordinal);
        ulong contracted = 0, polr = 0;
        foreach (var (start, polrWh) in intervals.OrderBy(i => i.Key))
        {
            polr += polrWh;
            var running = contracts.Where(c => c.Terms.IntervalStart <= start && start < c.Terms.IntervalStart + c.Terms.IntervalCount * intervalSeconds).ToList();
            contracted += (ulong)running.Sum(c => (decimal)c.Terms.WhPerInterval);
            foreach (var p in participants)
            {
                long net = running.Sum(c => (c.Terms.SellerMeter == p.Meter ? (long)c.Terms.WhPerInterval : 0) - (c.Terms.BuyerMeter == p.Meter ? (long)c.Terms.WhPerInterval : 0));
                if (net == 0) continue;
                long metered = net + imbalanceWh.GetValueOrDefault((p.Address.ToLowerInvariant(), start));
                // In the contracted direction: exporting for a seller, importing for a buyer.
                long sign = Math.Sign(net);
                ulong want = (ulong)Math.Abs(net), got = (ulong)Math.Max(0, sign * metered);
                var (c0, m0, d0) = byRole.GetValueOrDefault(p.BotRole);
                byRole[p.BotRole] = (c0 + want, m0 + got, d0 + Math.Min(want, got));
            }
        }
        var roles = byRole.Select(r => new Role(r.Key, r.Value.Contracted, r.Value.Metered, r.Value.Delivered)).ToList();
        return new DevnetDelivery([.. intervals.Keys.Order()], roles, contracted, polr);
    }

    /// <summary>Permille as a percentage with one decimal, e.g. 987 → "98.7".</summary>
    public static string Percent(ulong permille) => (permille / 10m).ToString("0.0", CultureInfo.InvariantCulture);

    private ulong Sum(Func<Role, ulong> field) => Roles.Aggregate(0UL, (sum, r) => sum + field(r));
}
