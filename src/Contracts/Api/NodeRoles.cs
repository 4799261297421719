namespace P2PEnergy.Contracts.Api;

/// <summary>What a node does in consensus, as NodeStatus.role names it (stable strings: clients and devnet/status read them).</summary>
public static class NodeRoles
{
    /// <summary>Its validator key is in the set in force at the next height: it proposes and votes.</summary>
    public const string Validator = "validator";

    /// <summary>It holds a validator key without power at the next height: it follows like an observer and signs nothing.</summary>
    public const string Standby = "standby";

    /// <summary>No validator key: it follows and re-executes every block, serves reads and refuses writes (READ_ONLY_NODE).</summary>
    public const string Observer = "observer";
}
