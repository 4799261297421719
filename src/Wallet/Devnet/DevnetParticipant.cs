using P2PEnergy.Contracts.Ledger;
namespace P2PEnergy.Wallet.Devnet;

/// <summary>
/// One generated devnet participant: its key name in the devnet wallet, address, ledger role, meter (whose device
/// key is the participant's own key), the service point the meter sits on, and which bot and device agent drive it.
/// </summary>
public sealed record DevnetParticipant(string KeyName, string Address, string LedgerRole, string Meter, string ServicePoint, string BotRole, string Driver)
{
    /// <summary>The bot role (pv, consumer, ev, battery) of participant number <paramref name="index"/>: a fixed rotation.</summary>
    public static string BotRoleOf(int index) => (index % 4) switch { 0 => "pv", 1 => "consumer", 2 => "ev", _ => "battery" };

    /// <summary>The ledger role a bot role is admitted with.</summary>
    public static string LedgerRoleOf(string botRole) => botRole is "pv" or "battery" ? Roles.Prosumer : Roles.Consumer;

    /// <summary>The <c>p2pe device run --driver</c> simulating the meter of a bot role.</summary>
    public static string DriverOf(string botRole) => botRole switch { "pv" => "pv", "ev" => "ev", "battery" => "battery", _ => "load" };
}
