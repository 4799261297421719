namespace P2PEnergy.Benchmarks.Load;

/// <summary>
/// What <c>load</c> submits: the genesis its node starts from (with the given validators) and the signed envelopes, and
/// how many signatures each carries (the recover ceiling in transactions/s is recovers/s divided by that).
/// </summary>
public abstract class LoadWorkload
{
    /// <summary>The plural noun printed in the report: "contracts", "readings".</summary>
    public abstract string Unit { get; }

    public abstract int SignaturesPerTransaction { get; }

    /// <summary>A line naming the target this workload is measured against, or null.</summary>
    public virtual string? Target(double rate, double ceiling) => null;

    public abstract string GenesisJson(IReadOnlyList<string> validatorAddresses);

    public abstract byte[][] Sign(int count);

    /// <summary>The most transactions <see cref="Sign"/> can make (distinct, all admissible), or null for no limit.</summary>
    public virtual int? Capacity => null;

    /// <summary><c>--kind contracts</c> (the default) or <c>--kind readings</c>.</summary>
    public static LoadWorkload FromArgs(string[] args) => CommandLineArgs.Text(args, "--kind") switch
    {
        null or "contracts" => new ContractWorkload(CommandLineArgs.Int(args, "--pairs", 50)),
        "readings" => new ReadingWorkload(CommandLineArgs.Int(args, "--meters", 10_000)),
        var other => throw new ArgumentException($"--kind {other}: expected contracts or readings"),
    };
}

/// <summary>Signed EnergyContracts between seller/buyer pairs (issue 3's load): two signatures each.</summary>
public sealed class ContractWorkload(int pairs) : LoadWorkload
{
    private readonly DateTimeOffset _genesisTime = DateTimeOffset.UtcNow.AddSeconds(-5);

    public IReadOnlyList<(Contracts.Crypto.PrivateKey Seller, Contracts.Crypto.PrivateKey Buyer)> Pairs { get; } =
        Enumerable.Range(0, pairs).Select(i => (NodeUnderLoad.Key($"seller-{i}"), NodeUnderLoad.Key($"buyer-{i}"))).ToList();

    public override string Unit => "contracts";
    public override int SignaturesPerTransaction => 2;
    public override string GenesisJson(IReadOnlyList<string> validatorAddresses) => NodeUnderLoad.GenesisJson(Pairs, _genesisTime, validatorAddresses);
    public override byte[][] Sign(int count) => NodeUnderLoad.SignContracts(Pairs, count);
}
