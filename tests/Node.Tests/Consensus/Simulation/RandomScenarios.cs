namespace P2PEnergy.Node.Tests.Consensus.Simulation;

/// <summary>
/// Mixed-fault scenarios from a seed: 4 or 7 validators, equal or uneven power, message loss, duplication, delay and
/// partitions before GST, crashes with restarts from the WAL (torn tails included), Byzantine validators of every kind
/// below 1/3 of the power, invalid proposals, and now and then a validator joining through a set change.
/// </summary>
public static class RandomScenarios
{
    private static readonly Fault[] Kinds = [Fault.Silent, Fault.Equivocator, Fault.Amnesiac, Fault.Colluder];

    public static Scenario From(ulong seed)
    {
        var r = new SimRandom(seed ^ 0x5CE4A210);
        int n = r.Chance(500) ? 4 : 7;
        var powers = r.Chance(700) ? Enumerable.Repeat(1L, n).ToArray() : Enumerable.Range(0, n).Select(_ => r.Between(1, 3)).ToArray();
        long total = powers.Sum();
        long gst = r.Between(2_000, 30_000);

        // Faulty power stays below 1/3: Byzantine validators, and validators that crash for good.
        var order = Enumerable.Range(0, n).OrderBy(_ => r.NextULong()).ToList();
        var byzantine = new Dictionary<int, Fault>();
        long faulty = 0;
        foreach (int node in order.Take(r.Next((n - 1) / 3 + 1)))
        {
            if (3 * (faulty + powers[node]) >= total) break;
            byzantine[node] = Kinds[r.Next(Kinds.Length)];
            faulty += powers[node];
        }
        var crashes = new List<CrashPlan>();
        foreach (int node in order.Where(i => !byzantine.ContainsKey(i)).Take(r.Next(3)))
        {
            bool forGood = r.Chance(150) && 3 * (faulty + powers[node]) < total;
            if (forGood) faulty += powers[node];
            crashes.Add(new CrashPlan(node, r.Between(0, gst), forGood ? -1 : r.Between(200, 8_000)));
        }
        var partitions = new List<PartitionPlan>();
        for (int i = r.Next(3); i > 0; i--)
        {
            var side = Enumerable.Range(0, n).Where(_ => r.Chance(500)).ToArray();
            if (side.Length == 0 || side.Length == n) continue;
            long from = r.Between(0, gst);
            partitions.Add(new PartitionPlan(side, from, r.Between(from, gst)));
        }
        int observers = 0;
        var changes = new List<ValidatorChangePlan>();
        if (r.Chance(150))
        {
            observers = 1;
            changes.Add(new ValidatorChangePlan(n, 1, r.Between(0, gst)));
        }
        return new Scenario
        {
            Seed = seed, Powers = powers, Observers = observers, TargetHeight = (ulong)r.Between(3, 5), GstMs = gst,
            DropPermille = r.Chance(700) ? (int)r.Between(0, 300) : 0, DuplicatePermille = (int)r.Between(0, 100),
            MaxDelayMs = r.Between(5, 1_500), SyncDelayMs = r.Between(5, 300),
            InvalidPermille = r.Chance(500) ? (int)r.Between(0, 200) : 0,
            Byzantine = byzantine, Crashes = crashes, Partitions = partitions, Changes = changes,
        };
    }
}
