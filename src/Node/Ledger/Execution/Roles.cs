namespace P2PEnergy.Node.Ledger;

/// <summary>Account roles (DESIGN.md vocabulary). Participants trade; authorities run the market and the grid.</summary>
public static class Roles
{
    public const string Consumer = "Consumer";
    public const string Producer = "Producer";
    public const string Prosumer = "Prosumer";
    public const string Aggregator = "Aggregator";
    public const string Utility = "Utility";
    public const string MarketOperator = "MarketOperator";
    public const string Planner = "Planner";
    public const string Regulator = "Regulator";

    public static readonly IReadOnlyList<string> ParticipantRoles = [Consumer, Producer, Prosumer, Aggregator];

    public static bool IsParticipantRole(string? role) => role is not null && ParticipantRoles.Contains(role);
}
