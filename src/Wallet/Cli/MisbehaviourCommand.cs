using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using Spectre.Console;

namespace P2PEnergy.Wallet.Cli;

/// <summary>
/// <c>p2pe misbehaviour [--validator ADDRESS]</c>: the validators' committed misbehaviour (Evidence transactions) from
/// ListMisbehaviour — who equivocated at which height, round and vote type, and who reported it. With --json, an array
/// devnet/status and scripts read. Removing an offender is <c>p2pe operator validators set</c> without it.
/// </summary>
internal static class MisbehaviourCommand
{
    public static Command Create(CliContext context)
    {
        var validator = new Option<string?>("--validator") { Description = "Only this validator's records (address as 0x or key name)" };
        var command = new Command("misbehaviour", "Validators' committed misbehaviour (equivocation evidence), by height") { validator };
        command.SetAction((parse, _) => context.RunAsync(parse, async json =>
        {
            using var node = context.ConnectNode(parse);
            Address? only = parse.GetValue(validator) is { } text ? Terms.Party(context, text, "--validator") : null;
            var records = await node.MisbehaviourAsync(only);
            if (json)
            {
                context.Print(true, new JsonArray([.. records.Select(r => (JsonNode)new JsonObject
                {
                    ["validator"] = Address.FromBytes(r.Validator.Span).ToString(), ["height"] = r.Height, ["round"] = r.Round,
                    ["voteType"] = VoteTypeName(r.VoteType), ["kind"] = r.Kind, ["power"] = r.Power,
                    ["firstBlockHash"] = Hex.Encode(r.FirstBlockHash.Span), ["secondBlockHash"] = Hex.Encode(r.SecondBlockHash.Span),
                    ["reportedBy"] = Address.FromBytes(r.ReportedBy.Span).ToString(), ["committedAt"] = r.CommittedAt,
                    ["transactionId"] = Hex.Encode(r.TransactionId.Span),
                })]), "");
                return;
            }
            if (records.Count == 0)
            {
                context.Env.Out.WriteLine(only is { } v ? $"no misbehaviour recorded for {v}" : "no misbehaviour recorded");
                return;
            }
            var table = new Table().AddColumns("validator", "height", "round", "vote", "kind", "power", "reported by", "committed at");
            foreach (var r in records)
                table.AddRow(Address.FromBytes(r.Validator.Span).ToString(), r.Height.ToString(CultureInfo.InvariantCulture), r.Round.ToString(CultureInfo.InvariantCulture),
                    VoteTypeName(r.VoteType), Markup.Escape(r.Kind), r.Power.ToString("N0", CultureInfo.InvariantCulture), Address.FromBytes(r.ReportedBy.Span).ToString(),
                    r.CommittedAt.ToString(CultureInfo.InvariantCulture));
            LedgerViews.Render(context, table);
        }));
        return command;
    }

    private static string VoteTypeName(VoteType type) => type switch
    {
        VoteType.Prevote => "prevote",
        VoteType.Precommit => "precommit",
        _ => ((int)type).ToString(CultureInfo.InvariantCulture),
    };
}
