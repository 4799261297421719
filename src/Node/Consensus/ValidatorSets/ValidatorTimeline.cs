using P2PEnergy.Node.Consensus.Core;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Consensus.ValidatorSets;

/// <summary>
/// The consensus validator set of each height with its proposer priorities. The priorities are not stored anywhere: they
/// are recomputed from the genesis set and the SetValidatorSet schedule in committed state (height 1 starts the genesis
/// set at priority 0; every height after is <see cref="ValidatorSet.Next()"/> of the one before, then
/// <see cref="ValidatorSet.WithPowers"/> where a change takes effect), so every node derives the same proposers from the
/// same chain and nothing can drift or be corrupted on disk. On start that is one allocation-free step per height
/// (docs/consensus.md gives the cost); after that one step per commit.
/// </summary>
public sealed class ValidatorTimeline
{
    private ValidatorSet _current;
    private ValidatorSet? _previous;

    private ValidatorTimeline(ulong height, ValidatorSet current, ValidatorSet? previous)
    {
        Height = height;
        _current = current;
        _previous = previous;
    }

    /// <summary>The height whose set <see cref="Current"/> is: the one after the last committed block.</summary>
    public ulong Height { get; private set; }

    public ValidatorSet Current => _current;

    /// <summary>The set of <paramref name="height"/>: the current height or the one before it.</summary>
    public ValidatorSet At(ulong height)
    {
        if (height == Height) return _current;
        if (height + 1 == Height && _previous is not null) return _previous;
        throw new ArgumentOutOfRangeException(nameof(height), height, $"the validator timeline holds heights {(_previous is null ? Height : Height - 1)}..{Height}");
    }

    /// <summary>The sets up to the height after <paramref name="committed"/>, recomputed from genesis and the schedule in <paramref name="state"/>.</summary>
    public static ValidatorTimeline Replay(IStateReader state, ChainParameters parameters, ulong committed)
    {
        var changes = ValidatorSchedule.Changes(state).Where(c => c.FromHeight >= 2).ToList();
        ulong target = checked(committed + 1);
        var set = ValidatorSet.Create(parameters.Validators.Select(v => (v.Address, v.Power)));
        ValidatorSet? previous = null;
        ulong height = 1;
        int next = 0;
        while (height < target)
        {
            // Plain rotation up to the height before the next change (or the one before the target), one height at a time
            // in place; then one height by hand, applying the change where it takes effect.
            ulong stop = next < changes.Count && changes[next].FromHeight <= target ? changes[next].FromHeight : target;
            if (stop - height > 1) set = set.Next(stop - height - 1);
            previous = set;
            set = set.Next();
            height = stop;
            if (next < changes.Count && changes[next].FromHeight == height) set = set.WithPowers(changes[next++].Validators.Select(v => (v.Address, v.Power)));
        }
        return new ValidatorTimeline(target, set, previous);
    }

    /// <summary>Block <see cref="Height"/> is committed to <paramref name="state"/>: moves on to the next height's set.</summary>
    public void Advance(IStateReader state)
    {
        ulong next = checked(Height + 1);
        var set = _current.Next();
        // A change taking effect at next was committed in block next − 2, which is in state.
        if (ValidatorSchedule.ChangeAt(state, next) is { } change) set = set.WithPowers(change.Select(v => (v.Address, v.Power)));
        _previous = _current;
        _current = set;
        Height = next;
    }
}
