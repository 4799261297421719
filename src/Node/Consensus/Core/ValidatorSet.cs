using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Node.Consensus.Core;

/// <summary>A validator of one height: address, voting power and proposer priority (<see cref="ProposerRotation"/>).</summary>
public sealed record Validator(Address Address, long Power, long Priority);

/// <summary>
/// The validators of one height, sorted by address, with their proposer priorities. Immutable: <see cref="Next()"/> and
/// <see cref="WithPowers"/> return new sets. The priorities make proposer choice a weighted round robin
/// (<see cref="ProposerRotation"/>), the same on every node because it depends only on committed history.
/// </summary>
public sealed class ValidatorSet
{
    /// <summary>CometBFT's bound on the total power (int64 max / 8): priorities stay far from overflow.</summary>
    public const long MaxTotalPower = long.MaxValue / 8;

    private readonly Dictionary<Address, Validator> _byAddress;

    private ValidatorSet(IEnumerable<Validator> validators)
    {
        Validators = validators.OrderBy(v => v.Address).ToList();
        if (Validators.Count == 0) throw new ArgumentException("a validator set needs at least one validator");
        _byAddress = new Dictionary<Address, Validator>(Validators.Count);
        Int128 total = 0;
        foreach (var v in Validators)
        {
            if (v.Power <= 0) throw new ArgumentException($"validator {v.Address} has power {v.Power}; power must be > 0");
            if (!_byAddress.TryAdd(v.Address, v)) throw new ArgumentException($"validator {v.Address} is listed twice");
            total += v.Power;
        }
        if (total > MaxTotalPower) throw new ArgumentException($"total voting power {total} exceeds {MaxTotalPower}");
        TotalPower = (long)total;
    }

    /// <summary>A set whose priorities all start at zero (a genesis set).</summary>
    public static ValidatorSet Create(IEnumerable<(Address Address, long Power)> validators)
        => new(validators.Select(v => new Validator(v.Address, v.Power, 0)));

    /// <summary>A set with given priorities (as the WAL and the ledger store them).</summary>
    public static ValidatorSet WithPriorities(IEnumerable<Validator> validators) => new(validators);

    /// <summary>The validators in address order.</summary>
    public IReadOnlyList<Validator> Validators { get; }

    public long TotalPower { get; }

    public int Count => Validators.Count;

    /// <summary>The validator's power, 0 when it is not in the set.</summary>
    public long PowerOf(Address address) => _byAddress.TryGetValue(address, out var v) ? v.Power : 0;

    public bool Contains(Address address) => _byAddress.ContainsKey(address);

    /// <summary>The set of the next height: one proposer selection later (the selection that chose round 0 of this height).</summary>
    public ValidatorSet Next() => Next(1);

    /// <summary>The set <paramref name="heights"/> heights later with no change of members: <see cref="Next()"/> that many times.</summary>
    public ValidatorSet Next(ulong heights)
    {
        var priorities = Validators.Select(v => v.Priority).ToArray();
        ProposerRotation.AdvanceHeights(priorities, Validators.Select(v => v.Power).ToArray(), TotalPower, heights);
        return new(Validators.Select((v, i) => v with { Priority = priorities[i] }));
    }

    /// <summary>
    /// This set with the validators replaced by <paramref name="powers"/> (a validator-set change). A validator that stays
    /// keeps its priority; a new one starts at −1.125 × total power, so joining never makes it the next proposer (CometBFT's
    /// rule); the result is re-centred so priorities do not drift.
    /// </summary>
    public ValidatorSet WithPowers(IEnumerable<(Address Address, long Power)> powers)
    {
        var list = powers.ToList();
        if (list.Count == 0) throw new ArgumentException("a validator set needs at least one validator");
        long total = checked(list.Sum(p => p.Power));
        long penalty = -checked(total + (total >> 3));
        var priorities = list.Select(p => _byAddress.TryGetValue(p.Address, out var old) ? old.Priority : penalty).ToArray();
        ProposerRotation.Normalize(priorities, total);
        return new(list.Select((p, i) => new Validator(p.Address, p.Power, priorities[i])));
    }

    public override string ToString() => string.Join(", ", Validators.Select(v => $"{v.Address.ToString()[..8]}:{v.Power}"));
}
