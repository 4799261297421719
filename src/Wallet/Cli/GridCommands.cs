using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Wallet.Node;
using Spectre.Console;

namespace P2PEnergy.Wallet.Cli;

/// <summary><c>p2pe grid status | capacity</c>: the flow book as the ledger sees it ("where can I still sell?").</summary>
internal static class GridCommands
{
    public static Command Create(CliContext context)
    {
        var grid = new Command("grid", "Read the grid: per-element flows and headroom, and a meter's hosting capacity");
        grid.Subcommands.Add(Status(context));
        grid.Subcommands.Add(Capacity(context));
        return grid;
    }

    private static Option<string> IntervalOption() => new("--interval") { Description = "Interval start (ISO 8601, UTC or local time)", Required = true };

    private static Command Status(CliContext context)
    {
        var interval = IntervalOption();
        var command = new Command("status", "Every grid element's flow, rating, headroom and voltage estimate in one interval") { interval };
        command.SetAction((parse, _) => context.RunAsync(parse, async json =>
        {
            ulong start = Terms.Time(parse.GetValue(interval)!, "--interval", context.Env.TimeZone);
            using var node = context.ConnectNode(parse);
            var status = await node.GridStatusAsync(start);
            if (json)
            {
                context.Print(true, new JsonObject
                {
                    ["intervalStart"] = status.IntervalStart, ["height"] = status.Height,
                    ["minVoltagePu"] = Pu(status.MinVoltageMicroPu), ["maxVoltagePu"] = Pu(status.MaxVoltageMicroPu),
                    ["elements"] = new JsonArray([.. status.Elements.Select(e => (JsonNode)new JsonObject
                    {
                        ["element"] = e.Element, ["kind"] = e.Kind, ["parent"] = e.Parent, ["activeW"] = e.ActiveW, ["reactiveVar"] = e.ReactiveVar,
                        ["rating"] = e.Rating, ["ratingUnit"] = e.RatingUnit, ["headroom"] = e.Headroom, ["voltagePu"] = Pu(e.VoltageMicroPu),
                    })]),
                }, "");
                return;
            }
            if (status.ModelHash.IsEmpty)
            {
                context.Env.Out.WriteLine($"no grid model is in force for {Terms.Format(start)}: contracts are admitted on the market rules alone");
                return;
            }
            var table = new Table().AddColumns("element", "kind", "flow W", "rating", "headroom", "voltage p.u.");
            foreach (var e in status.Elements)
                table.AddRow(Markup.Escape(e.Element), e.Kind, e.ActiveW.ToString("N0", CultureInfo.InvariantCulture),
                    e.Rating == 0 ? "" : $"{e.Rating.ToString("N0", CultureInfo.InvariantCulture)} {e.RatingUnit}",
                    e.Rating == 0 ? "" : e.Headroom.ToString("N0", CultureInfo.InvariantCulture), Pu(e.VoltageMicroPu).ToString("F4", CultureInfo.InvariantCulture));
            LedgerViews.Render(context, table);
            context.Env.Out.WriteLine($"voltage {Pu(status.MinVoltageMicroPu):F4}–{Pu(status.MaxVoltageMicroPu):F4} p.u. (band {Pu(status.VMinMicroPu):F2}–{Pu(status.VMaxMicroPu):F2}) at height {status.Height}");
        }));
        return command;
    }

    private static Command Capacity(CliContext context)
    {
        var meter = new Option<string>("--meter") { Description = "Meter id", Required = true };
        var interval = IntervalOption();
        var command = new Command("capacity", "The largest additional export and import this meter could contract now") { meter, interval };
        command.SetAction((parse, _) => context.RunAsync(parse, async json =>
        {
            ulong start = Terms.Time(parse.GetValue(interval)!, "--interval", context.Env.TimeZone);
            using var node = context.ConnectNode(parse);
            var capacity = await node.HostingCapacityAsync(parse.GetValue(meter)!, start);
            if (json)
            {
                context.Print(true, new JsonObject
                {
                    ["meter"] = capacity.Meter, ["intervalStart"] = capacity.IntervalStart, ["exportW"] = capacity.ExportW, ["importW"] = capacity.ImportW,
                    ["exportLimitedBy"] = capacity.ExportLimitedBy, ["importLimitedBy"] = capacity.ImportLimitedBy, ["height"] = capacity.Height,
                }, "");
                return;
            }
            context.Env.Out.WriteLine($"meter {capacity.Meter} in {Terms.Format(start)} (height {capacity.Height}):");
            context.Env.Out.WriteLine($"  export up to {capacity.ExportW.ToString("N0", CultureInfo.InvariantCulture)} W more — then {capacity.ExportLimitedBy}");
            context.Env.Out.WriteLine($"  import up to {capacity.ImportW.ToString("N0", CultureInfo.InvariantCulture)} W more — then {capacity.ImportLimitedBy}");
        }));
        return command;
    }

    private static double Pu(ulong micro) => micro / 1_000_000.0;
}
