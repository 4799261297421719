using System.CommandLine;
using System.Text.Json.Nodes;
using P2PEnergy.Anchor.Proofs;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Wallet.Node;

namespace P2PEnergy.Wallet.Cli;

/// <summary>
/// <c>p2pe contract prove ID</c>: asks the node for the contract's proof (GetContractProof) and writes it as the
/// self-contained JSON that <c>p2pe anchor verify</c> checks without the node (docs/anchoring.md).
/// </summary>
internal static class ContractProveCommand
{
    public static Command Create(CliContext context)
    {
        var id = new Argument<string>("ID") { Description = "The contract id (its EIP-712 digest, 0x-hex)" };
        var toHeight = new Option<ulong>("--to-height") { Description = "Last header to include (default: the node's last anchored checkpoint at or after the contract, else its latest block)" };
        var output = new Option<FileInfo>("--out") { Description = "Write the proof here instead of stdout" };
        var command = new Command("prove", "Write a self-contained proof that the contract was committed, up to an anchored checkpoint") { id, toHeight, output };
        command.SetAction((parse, _) => context.RunAsync(parse, async json =>
        {
            var contractId = Terms.Id(parse.GetValue(id)!, "ID");
            using var node = NodeClient.Connect(context, parse);
            var proof = await node.ContractProofAsync(contractId, parse.GetValue(toHeight));
            var text = ProofJson.Write(proof);
            if (parse.GetValue(output) is not { } file)
            {
                context.Env.Out.WriteLine(text);
                return;
            }
            File.WriteAllText(file.FullName, text + Environment.NewLine);
            ulong first = proof.Headers[0].Header.Height, last = proof.Headers[^1].Header.Height;
            string anchored = proof.AnchoredHeight >= last && proof.AnchorContract.Length > 0 ? $"anchored at {last} by {proof.AnchorContract}" : "not yet anchored this far";
            context.Print(json, new JsonObject { ["file"] = file.FullName, ["fromHeight"] = first, ["toHeight"] = last, ["anchorContract"] = proof.AnchorContract },
                $"wrote the proof of contract {parse.GetValue(id)} (blocks {first}..{last}, {anchored}) to {file.FullName}; check it with p2pe anchor verify {file.Name} --evm-rpc URL");
        }));
        return command;
    }
}
