using P2PEnergy.Contracts.Api;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Wallet.Devnet;

/// <summary>
/// One <c>p2pe-node</c> of a devnet: its name (the operator it stands for), whether it validates or observes, its data
/// directory, the validator address it signs with (null for the observer) and the node key address its peers know it by.
/// </summary>
public sealed record DevnetNode(string Name, string Role, string DataDir, string? ValidatorAddress, string NodeKeyAddress)
{
    public const string ValidatorRole = NodeRoles.Validator, ObserverRole = NodeRoles.Observer;

    /// <summary>The most validators a devnet runs (all on one machine).</summary>
    public const int MaxValidators = 7;

    /// <summary>
    /// The operators of validators 1…7, in order: the utility, the DMO, the regulator and an independent party (the
    /// default four, issue 15), then further independent operators.
    /// </summary>
    public static readonly (string Name, string Operator, string Role)[] Operators =
    [
        ("utility", "Utility company", Roles.Utility), ("dmo", "DMO", Roles.MarketOperator), ("regulator", "Energy regulator", Roles.Regulator),
        ("independent", "Independent operator", "Independent"), ("operator5", "Operator 5", "Independent"),
        ("operator6", "Operator 6", "Independent"), ("operator7", "Operator 7", "Independent"),
    ];

    /// <summary>The observer's name: a non-validating node that re-executes every block (the regulator's auditor).</summary>
    public const string ObserverName = "observer";
}
