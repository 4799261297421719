using System.CommandLine;
using System.Text.Json.Nodes;
using P2PEnergy.Wallet.Cli;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Wallet.Failures;

namespace P2PEnergy.Wallet.Devnet;

/// <summary><c>p2pe devnet init | status</c>: generate a DEV-ONLY devnet, and summarise a running one.</summary>
internal static class DevnetCommands
{
    public static Command Create(CliContext context)
    {
        var devnet = new Command("devnet", "DEV-ONLY local networks: generate one (init) and watch it (status); devnet/up runs it");
        devnet.Subcommands.Add(Init(context));
        devnet.Subcommands.Add(DevnetStatusCommand.Create(context));
        return devnet;
    }

    private static Command Init(CliContext context)
    {
        var dir = new Option<string>("--dir") { Description = "Directory to generate into (missing or empty)", Required = true };
        var participants = new Option<int>("--participants") { Description = "Number of trading participants (default 20)", DefaultValueFactory = _ => 20 };
        var model = new Option<string>("--dso-model") { Description = "UtilityDmo (Model 5) or IndependentDmo (Model 6)", DefaultValueFactory = _ => "IndependentDmo" };
        var interval = new Option<int>("--interval-seconds") { Description = "Settlement interval, s (default 60)", DefaultValueFactory = _ => 60 };
        var gate = new Option<int>("--gate-closure-seconds") { Description = "Gate closure before an interval, s (default 10)", DefaultValueFactory = _ => 10 };
        var window = new Option<int?>("--reading-window-seconds") { Description = "Reading window, s (default max(120, 2 × interval))" };
        var validators = new Option<int>("--validators") { Description = $"Validators with equal power, 1–{DevnetNode.MaxValidators} (default 4: utility, DMO, regulator, an independent operator)", DefaultValueFactory = _ => 4 };
        var noObserver = new Option<bool>("--no-observer") { Description = "No observer node (by default one follows the chain without voting)" };
        var nodeDll = new Option<string?>("--node-dll") { Description = "p2pe-node.dll to run `init` into DIR/nodes/NAME with for every node (else only the files are written)" };
        var command = new Command("init", "Generate keys, grid model, genesis and the nodes' data directories of a DEV-ONLY devnet")
            { dir, participants, model, interval, gate, window, validators, noObserver, nodeDll };
        command.SetAction(parse => context.Run(parse, json =>
        {
            DevnetManifest manifest;
            try
            {
                manifest = DevnetGenerator.Generate(new DevnetOptions
                {
                    Directory = parse.GetValue(dir)!, Participants = parse.GetValue(participants), DsoModel = parse.GetValue(model)!,
                    IntervalSeconds = parse.GetValue(interval), GateClosureSeconds = parse.GetValue(gate), ReadingWindowSeconds = parse.GetValue(window), NodeDll = parse.GetValue(nodeDll),
                    Validators = parse.GetValue(validators), Observer = !parse.GetValue(noObserver),
                }, context.Env.Clock);
            }
            catch (Exception e) when (e is ArgumentException or IOException)
            {
                throw new WalletException(ExitCode.BadInput, ReasonCodes.InvalidArgument, e.Message);
            }
            var result = new JsonObject
            {
                ["walletHome"] = manifest.WalletHome, ["nodeDataDir"] = manifest.NodeDataDir, ["passwordFile"] = manifest.PasswordFile,
                ["participants"] = manifest.Participants.Count, ["chainId"] = manifest.ChainId,
                ["nodes"] = new JsonArray([.. manifest.Nodes.Select(n => (JsonNode)new JsonObject
                    { ["name"] = n.Name, ["role"] = n.Role, ["dataDir"] = n.DataDir, ["validator"] = n.ValidatorAddress, ["nodeKey"] = n.NodeKeyAddress })]),
            };
            int validatorCount = manifest.Nodes.Count(n => n.Role == DevnetNode.ValidatorRole);
            context.Print(json, result, $"devnet with {manifest.Participants.Count} participants ({manifest.DsoModel}, {manifest.IntervalSeconds} s intervals), "
                + $"{validatorCount} validator(s){(manifest.Nodes.Count > validatorCount ? " and an observer" : "")}: "
                + $"wallet {manifest.WalletHome}, nodes {string.Join(", ", manifest.Nodes.Select(n => n.DataDir))}, password file {manifest.PasswordFile}");
        }));
        return command;
    }
}
