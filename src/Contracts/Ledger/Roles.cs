namespace P2PEnergy.Contracts.Ledger;

/// <summary>The account roles (generated from Protos/codes.proto) and which of them are participants that trade.</summary>
public static partial class Roles
{
    /// <summary>The roles an Admit may give: participants. Authorities come from genesis.</summary>
    public static readonly IReadOnlyList<string> ParticipantRoles = [Consumer, Producer, Prosumer, Aggregator];

    public static bool IsParticipantRole(string? role) => role is not null && ParticipantRoles.Contains(role);
}
