namespace P2PEnergy.Node.Consensus.Core;

/// <summary>step_p of the paper. The numbers order the steps within a round and are what the last-signed state stores.</summary>
public enum Step
{
    Propose = 1,
    Prevote = 2,
    Precommit = 3,
}

/// <summary>A timeout the core asked for: OnTimeoutPropose/Prevote/Precommit(height, round) of the paper.</summary>
public readonly record struct Timeout(ulong Height, int Round, Step Step)
{
    public override string ToString() => $"timeout {Step} {Height}/{Round}";
}
