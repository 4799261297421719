using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Wallet.Failures;
using System.CommandLine;
using System.Globalization;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Wallet.Node;

namespace P2PEnergy.Wallet.Cli;

/// <summary>
/// <c>p2pe operator validators set --validator ADDRESS:POWER:OPERATOR:ROLE …</c>: the validator authority replaces the
/// whole validator set, effective two heights after the block that commits it (docs/consensus.md).
/// </summary>
internal static class ValidatorCommands
{
    public static Command Create(CliContext context)
    {
        var validators = new Command("validators", "The validator set (validator authority)");
        var entries = new Option<string[]>("--validator")
        {
            Description = "One member of the new set, ADDRESS:POWER:OPERATOR:ROLE (address as 0x or key name; power > 0); repeat for each",
            Required = true, AllowMultipleArgumentsPerToken = true,
        };
        validators.Subcommands.Add(OperatorCommands.Signed(context, "set", "Validator authority: replace the validator set from height H + 2", "validator authority's", [entries], parse =>
        {
            var set = new SetValidatorSet { Nonce = Terms.Nonce() };
            foreach (var entry in parse.GetValue(entries)!) set.Validators.Add(Entry(context, entry));
            return set;
        }));
        return validators;
    }

    // The operator's name may itself hold colons: the address and power come first, the role last, the name between.
    private static ValidatorEntry Entry(CliContext context, string text)
    {
        var parts = text.Split(':');
        if (parts.Length < 4 || parts[^1].Length == 0 || string.Join(':', parts[2..^1]).Length == 0)
            throw new WalletException(ExitCode.BadInput, ReasonCodes.InvalidArgument, $"--validator '{text}' is not ADDRESS:POWER:OPERATOR:ROLE");
        if (!ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var power) || power == 0)
            throw new WalletException(ExitCode.BadInput, ReasonCodes.InvalidArgument, $"--validator '{text}': power '{parts[1]}' is not a whole number above 0");
        return new ValidatorEntry
        {
            Validator = NodeClient.Bytes(Terms.Party(context, parts[0], "--validator")), Power = power,
            Operator = string.Join(':', parts[2..^1]), Role = parts[^1],
        };
    }
}
