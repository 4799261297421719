using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using P2PEnergy.Anchor.Evm;
using P2PEnergy.Anchor.Proofs;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Wallet.Cli;

/// <summary>
/// <c>p2pe anchor verify | deploy</c>: check a contract proof (offline against the ledger's rules, online against the
/// EVM anchor) and deploy the anchor contract for a ledger (docs/anchoring.md).
/// </summary>
internal static class AnchorCommands
{
    public static Command Create(CliContext context)
    {
        var anchor = new Command("anchor", "Verify contract proofs against the ledger's rules and the EVM anchor; deploy the anchor");
        anchor.Subcommands.Add(Verify(context));
        anchor.Subcommands.Add(Deploy(context));
        return anchor;
    }

    private static Option<string> EvmRpc(bool required) => new("--evm-rpc") { Description = "EVM JSON-RPC URL (http://…)", Required = required };

    private static Command Verify(CliContext context)
    {
        var file = new Argument<FileInfo>("PROOF") { Description = "A proof made by `p2pe contract prove`" };
        var evmRpc = EvmRpc(required: false);
        var address = new Option<string>("--anchor") { Description = "The anchor contract's address (default: the one the proof names)" };
        var command = new Command("verify", "Check a contract proof offline and, with --evm-rpc, against the anchored checkpoint; prints yes or no with the reason")
            { file, evmRpc, address };
        command.SetAction((parse, _) => context.RunAsync(parse, async json =>
        {
            var path = parse.GetValue(file)!.FullName;
            ContractProof proof;
            try { proof = ProofJson.Read(File.ReadAllText(path)); }
            catch (IOException e) { throw new WalletException(ExitCode.BadInput, "UNREADABLE_FILE", $"cannot read {path}: {e.Message}"); }
            catch (ProofFormatException e) { throw Refuted(ProofReasons.Malformed, e.Message); }
            var offline = ProofVerifier.Verify(proof);
            if (!offline.Holds) throw Refuted(offline.Code!, offline.Message);
            var result = new JsonObject { ["verified"] = true, ["offline"] = offline.Message, ["facts"] = new JsonArray([.. offline.Facts.Select(f => (JsonNode)f)]) };
            var lines = new List<string> { $"yes: {offline.Message}" };
            lines.AddRange(offline.Facts.Select(f => "  " + f));
            if (parse.GetValue(evmRpc) is { } url)
            {
                var contract = parse.GetValue(address) ?? (proof.AnchorContract.Length > 0 ? proof.AnchorContract
                    : throw new WalletException(ExitCode.Usage, "USAGE", "the proof names no anchor contract: pass --anchor ADDRESS"));
                ProofVerdict online;
                try
                {
                    using var client = await AnchorClient.ConnectAsync(url, contract, null, TimeSpan.FromSeconds(30));
                    if (!await client.HasCodeAsync()) throw new WalletException(ExitCode.EvmUnreachable, "EVM_UNREACHABLE", $"no contract is deployed at {contract} on {url}");
                    online = await AnchoredCheck.VerifyAsync(proof, client);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or Nethereum.JsonRpc.Client.RpcClientUnknownException or Nethereum.JsonRpc.Client.RpcClientTimeoutException)
                {
                    throw new WalletException(ExitCode.EvmUnreachable, "EVM_UNREACHABLE", $"no answer from the EVM node at {url}: {e.Message}");
                }
                if (!online.Holds)
                    throw online.Code == ProofReasons.NotAnchored
                        ? new WalletException(ExitCode.NotAnchored, online.Code, $"no: {online.Message} (the proof holds offline)")
                        : Refuted(online.Code!, online.Message);
                result["anchored"] = online.Message;
                lines.Add($"yes: {online.Message}");
                lines.AddRange(online.Facts.Select(f => "  " + f));
            }
            else lines.Add("(offline only: pass --evm-rpc URL to check the anchored checkpoint, which ties these validators to the ledger)");
            context.Print(json, result, string.Join(Environment.NewLine, lines));
        }));
        return command;
    }

    private static WalletException Refuted(string code, string message) => new(ExitCode.ProofInvalid, code, $"no: {message}");

    private static Command Deploy(CliContext context)
    {
        var evmRpc = EvmRpc(required: true);
        var genesis = new Option<FileInfo>("--genesis") { Description = "The ledger's genesis file: its chainId and validators start the anchor", Required = true };
        var key = new SigningKey("Name of the key that pays for the deployment (an Ethereum account with funds)");
        var command = new Command("deploy", "Deploy P2PEnergyAnchor for a ledger, with the genesis validator set; prints the contract address") { evmRpc, genesis };
        key.AddTo(command);
        command.SetAction((parse, _) => context.RunAsync(parse, async json =>
        {
            var (chainId, validators) = ReadGenesis(parse.GetValue(genesis)!.FullName);
            var deployer = key.Unlock(context, parse);
            string address;
            System.Numerics.BigInteger gas;
            try { (address, gas) = await AnchorClient.DeployAsync(parse.GetValue(evmRpc)!, deployer, chainId, validators, TimeSpan.FromSeconds(60)); }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or Nethereum.JsonRpc.Client.RpcClientUnknownException)
            {
                throw new WalletException(ExitCode.EvmUnreachable, "EVM_UNREACHABLE", $"no answer from the EVM node at {parse.GetValue(evmRpc)}: {e.Message}");
            }
            context.Print(json, new JsonObject { ["contract"] = address, ["chainId"] = chainId, ["validators"] = validators.Count, ["gasUsed"] = (long)gas },
                $"deployed P2PEnergyAnchor for ledger chain {chainId} with {validators.Count} validator(s) at {address} ({gas} gas)");
        }));
        return command;
    }

    /// <summary>chainId and validators [{address, power}] of a genesis file (which may carry // comments).</summary>
    private static (ulong ChainId, List<(Address Address, long Power)> Validators) ReadGenesis(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var root = document.RootElement;
            var validators = root.GetProperty("validators").EnumerateArray()
                .Select(v => (Address.Parse(v.GetProperty("address").GetString()!), v.GetProperty("power").GetInt64())).ToList();
            if (validators.Count == 0) throw new FormatException("validators is empty");
            return (root.GetProperty("chainId").GetUInt64(), validators);
        }
        catch (Exception e) when (e is IOException or JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            throw new WalletException(ExitCode.BadInput, "BAD_GENESIS", $"{path}: {e.Message}");
        }
    }
}
