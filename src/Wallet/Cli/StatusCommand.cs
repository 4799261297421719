using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Wallet.Node;
using Spectre.Console;

namespace P2PEnergy.Wallet.Cli;

/// <summary>
/// <c>p2pe status</c>: the node and its chain at a glance — readiness (what /readyz and grpc.health.v1 say), chain and
/// height, the validators in force and whether each signed the latest block's commit, the latest settled interval and
/// the mempool — from one GetNodeStatus call.
/// </summary>
internal static class StatusCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("status", "The node's readiness, chain, height, validators and their last signatures, latest settled interval");
        command.SetAction((parse, _) => context.RunAsync(parse, async json =>
        {
            using var node = context.ConnectNode(parse);
            var status = await node.StatusAsync();
            string blockTime = status.LastBlockTimeMs > 0 ? Terms.Format((ulong)(status.LastBlockTimeMs / 1000)) : "-";
            string settled = status.LastSettledInterval == 0 ? "none yet" : Terms.Format(status.LastSettledInterval);
            if (json)
            {
                context.Print(true, new JsonObject
                {
                    ["node"] = node.Url.ToString(), ["role"] = status.Role, ["ready"] = status.Ready, ["readiness"] = status.Readiness, ["version"] = status.Version,
                    ["chainId"] = status.ChainId, ["marketName"] = status.MarketName, ["height"] = status.Height, ["lastBlockTimeMs"] = status.LastBlockTimeMs,
                    ["lastBlockHash"] = Hex.Encode(status.LastBlockHash.Span), ["appHash"] = Hex.Encode(status.AppHash.Span),
                    ["lastSettledInterval"] = status.LastSettledInterval, ["mempoolSize"] = status.MempoolSize,
                    ["validators"] = new JsonArray([.. status.Validators.Select(v => (JsonNode)new JsonObject
                    {
                        ["address"] = Address.FromBytes(v.Address.Span).ToString(), ["power"] = v.Power, ["operator"] = v.Operator, ["role"] = v.Role,
                        ["signedLastBlock"] = v.SignedLastBlock,
                    })]),
                }, "");
                return;
            }
            var output = context.Env.Out;
            output.WriteLine($"node       {node.Url}  {(status.Ready ? "ready" : "NOT READY")}: {status.Readiness}{(status.Role.Length > 0 ? $"  ({status.Role})" : "")}");
            output.WriteLine($"chain      {status.ChainId} \"{status.MarketName}\"  height {status.Height} at {blockTime}  app hash {Hex.Encode(status.AppHash.Span)}");
            output.WriteLine($"settled    latest interval {settled}   mempool {status.MempoolSize} transactions   node {status.Version} ({status.Secp256K1Backend})");
            var table = new Table().AddColumns("validator", "power", "operator", "role", $"signed block {status.Height}");
            foreach (var v in status.Validators)
                table.AddRow(Address.FromBytes(v.Address.Span).ToString(), v.Power.ToString("N0", CultureInfo.InvariantCulture), Markup.Escape(v.Operator), Markup.Escape(v.Role),
                    status.Height == 0 ? "-" : v.SignedLastBlock ? "yes" : "NO");
            LedgerViews.Render(context, table);
        }));
        return command;
    }
}
