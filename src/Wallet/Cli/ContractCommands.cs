using System.CommandLine;
using System.Text.Json.Nodes;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Wallet.Node;
using Spectre.Console;

namespace P2PEnergy.Wallet.Cli;

/// <summary>
/// <c>p2pe contract propose | sign | submit | list | show | export | attach-signature</c>: a bilateral EnergyContract
/// passed between its parties as a <see cref="ContractFile"/>, signed by both, then submitted to the node.
/// </summary>
internal static class ContractCommands
{
    public static Command Create(CliContext context)
    {
        var contract = new Command("contract", "Propose, sign and submit bilateral energy contracts; list committed ones");
        contract.Subcommands.Add(Propose(context));
        contract.Subcommands.Add(Sign(context));
        contract.Subcommands.Add(Submit(context));
        contract.Subcommands.Add(List(context));
        contract.Subcommands.Add(Show(context));
        contract.Subcommands.Add(Export(context));
        contract.Subcommands.Add(AttachSignature(context));
        contract.Subcommands.Add(ContractProveCommand.Create(context));
        return contract;
    }

    private static Argument<FileInfo> FileArgument() => new("FILE") { Description = "The contract file (p2pe-contract/1)" };

    private static Command Propose(CliContext context)
    {
        var seller = new Option<string>("--seller") { Description = "Seller: 0x address or key name", Required = true };
        var buyer = new Option<string>("--buyer") { Description = "Buyer: 0x address or key name", Required = true };
        var sellerMeter = new Option<string>("--seller-meter") { Description = "Seller's registered meter id", Required = true };
        var buyerMeter = new Option<string>("--buyer-meter") { Description = "Buyer's registered meter id", Required = true };
        var start = new Option<string>("--start") { Description = "First interval start, ISO 8601 (UTC with Z, else local time)", Required = true };
        var intervals = new Option<uint>("--intervals") { Description = "Number of consecutive intervals", Required = true };
        var kwh = new Option<string>("--kwh") { Description = "Energy per interval, kWh (whole Wh)", Required = true };
        var price = new Option<string>("--price-per-kwh") { Description = "Price per kWh in micro-units of the market currency", Required = true };
        var validFor = new Option<string>("--valid-for") { Description = "How long the parties have to commit it (default 24h)", DefaultValueFactory = _ => "24h" };
        var chainId = new Option<ulong?>("--chain-id") { Description = "Chain id for the signatures (default: asked from the node)" };
        var output = new Option<FileInfo>("--out") { Description = "Contract file to write (must not exist)", Required = true };
        var command = new Command("propose", "Write a new, unsigned contract file")
            { seller, buyer, sellerMeter, buyerMeter, start, intervals, kwh, price, validFor, chainId, output };
        command.SetAction((parse, _) => context.RunAsync(parse, async json =>
        {
            var now = (ulong)context.Env.Clock.GetUtcNow().ToUnixTimeSeconds();
            var terms = new EnergyContract
            {
                Seller = NodeClient.Bytes(Terms.Party(context, parse.GetValue(seller)!, "--seller")),
                Buyer = NodeClient.Bytes(Terms.Party(context, parse.GetValue(buyer)!, "--buyer")),
                SellerMeter = parse.GetValue(sellerMeter)!, BuyerMeter = parse.GetValue(buyerMeter)!,
                IntervalStart = Terms.Time(parse.GetValue(start)!, "--start"),
                IntervalCount = parse.GetValue(intervals),
                WhPerInterval = Terms.WattHours(parse.GetValue(kwh)!, "--kwh"),
                PricePerKwh = Terms.MicroUnits(parse.GetValue(price)!, "--price-per-kwh"),
                Nonce = Terms.Nonce(),
                ValidUntil = now + (ulong)Terms.Duration(parse.GetValue(validFor)!, "--valid-for").TotalSeconds,
            };
            if (terms.IntervalCount == 0) throw new WalletException(ExitCode.BadInput, "INVALID_ARGUMENT", "--intervals must be at least 1");
            ulong chain = parse.GetValue(chainId) ?? await ChainIdFromNode(context, parse);
            var file = new ContractFile(terms, chain);
            var path = parse.GetValue(output)!.FullName;
            file.Save(path, overwrite: false);
            context.Print(json, Describe(file, path), $"proposed contract {file.Id} in {path}; next: p2pe contract sign {path} --key NAME");
        }));
        return command;
    }

    private static Command Sign(CliContext context)
    {
        var file = FileArgument();
        var key = new SigningKey("Name of the seller's or buyer's key");
        var yes = new Option<bool>("--yes") { Description = "Sign without asking for confirmation" };
        var command = new Command("sign", "Show the contract's terms, ask for confirmation and add your signature") { file, yes };
        key.AddTo(command);
        command.SetAction(parse => context.Run(parse, json =>
        {
            var path = parse.GetValue(file)!.FullName;
            var contract = ContractFile.Load(path);
            var signerAddress = SigningKey.AddressOf(context, parse.GetValue(key.Key)!);
            if (signerAddress != contract.Seller && signerAddress != contract.Buyer)
                throw new WalletException(ExitCode.BadInput, "NOT_A_PARTY", $"key '{parse.GetValue(key.Key)}' ({signerAddress}) is neither the seller nor the buyer of contract {contract.Id}");
            RequireUnexpired(context, contract);
            if (!json) context.Env.Error.WriteLine(Summary(contract, signerAddress));
            if (!parse.GetValue(yes))
            {
                if (context.Env.Confirm is not { } confirm)
                    throw new WalletException(ExitCode.NotConfirmed, "NOT_CONFIRMED", "refusing to sign without confirmation: stdin is not a terminal; pass --yes after reading the terms");
                if (!confirm($"Sign contract {contract.Id} as {(signerAddress == contract.Seller ? "seller" : "buyer")}?"))
                    throw new WalletException(ExitCode.NotConfirmed, "NOT_CONFIRMED", "not signed: declined");
            }
            var privateKey = key.Unlock(context, parse);
            contract.Attach(privateKey.Sign(contract.Digest));
            contract.Save(path, overwrite: true);
            context.Print(json, Describe(contract, path), $"signed contract {contract.Id} as {signerAddress}; {contract.Signatures.Count} of 2 signatures");
        }));
        return command;
    }

    private static Command Submit(CliContext context)
    {
        var file = FileArgument();
        var command = new Command("submit", "Submit a contract signed by both parties") { file };
        var waiting = Submission.AddTo(command);
        command.SetAction((parse, _) => context.RunAsync(parse, async json =>
        {
            var contract = ContractFile.Load(parse.GetValue(file)!.FullName);
            RequireUnexpired(context, contract);
            var missing = new[] { contract.Seller, contract.Buyer }.Distinct().Where(a => !contract.Signatures.ContainsKey(a)).ToList();
            if (missing.Count > 0)
                throw new WalletException(ExitCode.BadInput, "MISSING_SIGNATURE", $"contract {contract.Id} still needs the signature of {string.Join(" and ", missing)}");
            using var node = NodeClient.Connect(context, parse);
            var transaction = Submission.Envelope(contract.Terms, contract.ChainId, contract.OrderedSignatures());
            await Submission.SubmitAsync(context, node, transaction, parse.GetValue(waiting.Wait), TimeSpan.FromSeconds(parse.GetValue(waiting.Timeout)), json);
        }));
        return command;
    }

    private static Command List(CliContext context)
    {
        var party = new Option<string>("--party") { Description = "Only contracts of this 0x address or key name" };
        var command = new Command("list", "List committed contracts (ListContracts)") { party };
        command.SetAction((parse, _) => context.RunAsync(parse, async json =>
        {
            Address? who = parse.GetValue(party) is { } p ? Terms.Party(context, p, "--party") : null;
            using var node = NodeClient.Connect(context, parse);
            var contracts = await node.ContractsAsync(who);
            if (json) { context.Print(true, new JsonObject { ["contracts"] = new JsonArray([.. contracts.Select(c => (JsonNode)Describe(c))]) }, ""); return; }
            context.Env.Out.WriteLine($"{contracts.Count} contract(s)");
            if (contracts.Count == 0) return;
            var table = new Table().AddColumns("id", "seller", "buyer", "start", "intervals", "kWh/interval", "price/kWh", "payment", "settled");
            foreach (var c in contracts)
                table.AddRow(Hex.Encode(c.Id.Span), Address.FromBytes(c.Terms.Seller.Span).ToString(), Address.FromBytes(c.Terms.Buyer.Span).ToString(),
                    Terms.Format(c.Terms.IntervalStart), c.Terms.IntervalCount.ToString(), Terms.Kwh(c.Terms.WhPerInterval), Terms.Money(c.Terms.PricePerKwh),
                    Terms.Money(c.Payment), $"{c.SettledIntervals}/{c.Terms.IntervalCount}");
            AccountCommands.Render(context, table);
        }));
        return command;
    }

    private static Command Show(CliContext context)
    {
        var id = new Argument<string>("ID") { Description = "The contract id (its EIP-712 digest, 0x-hex)" };
        var command = new Command("show", "Show one committed contract with its locked fees") { id };
        command.SetAction((parse, _) => context.RunAsync(parse, async json =>
        {
            var wanted = Terms.Id(parse.GetValue(id)!, "ID");
            using var node = NodeClient.Connect(context, parse);
            var contract = (await node.ContractsAsync(null)).FirstOrDefault(c => c.Id.Span.SequenceEqual(wanted))
                ?? throw new WalletException(ExitCode.Rejected, "NOT_FOUND", $"no committed contract {Hex.Encode(wanted)} on the node at {node.Url}");
            var result = Describe(contract);
            if (json) { context.Print(true, result, ""); return; }
            var table = new Table().AddColumn("field").AddColumn("value");
            foreach (var (field, value) in result) table.AddRow(Markup.Escape(field), Markup.Escape(value?.ToString() ?? ""));
            AccountCommands.Render(context, table);
        }));
        return command;
    }

    private static Command Export(CliContext context)
    {
        var file = FileArgument();
        var typedData = new Option<bool>("--typed-data") { Description = "Print the exact eth_signTypedData_v4 JSON", Required = true };
        var command = new Command("export", "Print the contract for an external wallet (eth_signTypedData_v4)") { file, typedData };
        command.SetAction(parse => context.Run(parse, _ =>
            context.Env.Out.WriteLine(ContractFile.Load(parse.GetValue(file)!.FullName).TypedDataJson())));
        return command;
    }

    private static Command AttachSignature(CliContext context)
    {
        var file = FileArgument();
        var signature = new Argument<string>("SIG") { Description = "65-byte signature (r ‖ s ‖ v) in 0x-hex, from eth_signTypedData_v4" };
        var command = new Command("attach-signature", "Add a signature made by an external wallet, after checking it recovers the seller or buyer") { file, signature };
        command.SetAction(parse => context.Run(parse, json =>
        {
            var path = parse.GetValue(file)!.FullName;
            var contract = ContractFile.Load(path);
            Signature parsed;
            try { parsed = Signature.Parse(parse.GetValue(signature)!.Trim()); }
            catch (FormatException e) { throw new WalletException(ExitCode.BadInput, "BAD_SIGNATURE", $"SIG is not a 65-byte signature: {e.Message}"); }
            var signer = contract.Attach(parsed);
            contract.Save(path, overwrite: true);
            context.Print(json, Describe(contract, path), $"attached the signature of {(signer == contract.Seller ? "seller" : "buyer")} {signer}; {contract.Signatures.Count} of 2 signatures");
        }));
        return command;
    }

    private static async Task<ulong> ChainIdFromNode(CliContext context, ParseResult parse)
    {
        using var node = NodeClient.Connect(context, parse);
        return (await node.StatusAsync()).ChainId;
    }

    private static void RequireUnexpired(CliContext context, ContractFile contract)
    {
        var now = (ulong)context.Env.Clock.GetUtcNow().ToUnixTimeSeconds();
        if (contract.Terms.ValidUntil < now)
            throw new WalletException(ExitCode.Rejected, "EXPIRED", $"contract {contract.Id} was valid until {Terms.Format(contract.Terms.ValidUntil)}; propose a new one");
    }

    /// <summary>What a signer should read before signing: who, when, how much, at what price, and what fees apply.</summary>
    private static string Summary(ContractFile contract, Address signer)
    {
        var t = contract.Terms;
        ulong perInterval = t.WhPerInterval * t.PricePerKwh / 1000;
        var start = DateTimeOffset.FromUnixTimeSeconds((long)t.IntervalStart);
        return string.Join('\n',
            $"Contract {contract.Id} on chain {contract.ChainId}",
            $"  seller  {contract.Seller} meter {t.SellerMeter}{(signer == contract.Seller ? "  (you)" : "")}",
            $"  buyer   {contract.Buyer} meter {t.BuyerMeter}{(signer == contract.Buyer ? "  (you)" : "")}",
            $"  when    {t.IntervalCount} interval(s) from {Terms.Format(t.IntervalStart)} ({start.ToLocalTime():yyyy-MM-dd HH:mm zzz} local)",
            $"  energy  {Terms.Kwh(t.WhPerInterval)} kWh per interval, {Terms.Kwh(t.WhPerInterval * t.IntervalCount)} kWh in all",
            $"  price   {Terms.Money(t.PricePerKwh)} per kWh; payment {Terms.Money(perInterval)} per interval, {Terms.Money(perInterval * t.IntervalCount)} in all (buyer → seller)",
            "  fees    computed by the node at commit (DMO and grid fees at the rates in force for the first interval)",
            $"  valid until {Terms.Format(t.ValidUntil)}; signatures so far: {contract.Signatures.Count} of 2");
    }

    private static JsonObject Describe(ContractFile contract, string path) => new()
    {
        ["id"] = contract.Id,
        ["file"] = path,
        ["chainId"] = contract.ChainId,
        ["terms"] = Contracts.TypedData.LedgerTypedData.ToJson(contract.Terms),
        ["signedBy"] = new JsonArray([.. contract.Signatures.Keys.Select(a => (JsonNode)a.ToString())]),
    };

    private static JsonObject Describe(ContractState c) => new()
    {
        ["id"] = Hex.Encode(c.Id.Span),
        ["terms"] = Contracts.TypedData.LedgerTypedData.ToJson(c.Terms),
        ["height"] = c.Height,
        ["payment"] = c.Payment,
        ["dmoFeeBuyer"] = c.DmoFeeBuyer,
        ["dmoFeeSeller"] = c.DmoFeeSeller,
        ["gridFee"] = c.GridFee,
        ["pathLevel"] = c.PathLevel,
        ["offerId"] = c.OfferId.IsEmpty ? null : Hex.Encode(c.OfferId.Span),
        ["settledIntervals"] = c.SettledIntervals,
    };
}
