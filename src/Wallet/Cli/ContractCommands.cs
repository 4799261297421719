using System.CommandLine;
using System.Text.Json.Nodes;
using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Energy;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Wallet.Node;
using Spectre.Console;
using P2PEnergy.Wallet.Failures;

namespace P2PEnergy.Wallet.Cli;

/// <summary>
/// <c>p2pe contract propose | sign | submit | list | show | export | attach-signature</c>: a bilateral EnergyContract
/// passed between its parties as a <see cref="ContractFile"/>, checked against the node before anyone signs, signed by
/// both (or by the aggregator they delegated to), then submitted to the node.
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
        var kwh = new Option<string>("--kwh") { Description = "Energy per interval, kWh (at most 3 decimals: whole Wh)", Required = true };
        var price = new Option<string>("--price-per-kwh") { Description = "Price per kWh in the market's currency, e.g. 0.10", Required = true };
        var validFor = new Option<string>("--valid-for") { Description = "How long the parties have to commit it (default 24h)", DefaultValueFactory = _ => "24h" };
        var offline = new Option<bool>("--offline") { Description = "Ask the node nothing: no checks; needs --chain-id (amounts in 6 decimals unless --currency-decimals)" };
        var chainId = new Option<ulong?>("--chain-id") { Description = "Chain id for the signatures (default: the node's)" };
        var decimals = new Option<int>("--currency-decimals") { Description = "With --offline: the currency's decimals (default 6)", DefaultValueFactory = _ => Currency.Default.Decimals };
        var output = new Option<FileInfo>("--out") { Description = "Contract file to write (must not exist)", Required = true };
        var command = new Command("propose", "Write a new, unsigned contract file, after checking with the node what it would refuse")
            { seller, buyer, sellerMeter, buyerMeter, start, intervals, kwh, price, validFor, offline, chainId, decimals, output };
        command.SetAction((parse, _) => context.RunAsync(parse, async json =>
        {
            var now = (ulong)context.Env.Clock.GetUtcNow().ToUnixTimeSeconds();
            bool isOffline = parse.GetValue(offline);
            if (isOffline && parse.GetValue(chainId) is null) throw new WalletException(ExitCode.Usage, "USAGE", "--offline needs --chain-id (there is no node to ask)");
            if (parse.GetValue(decimals) is < 0 or > 18) throw Terms.Bad("--currency-decimals", parse.GetValue(decimals).ToString(System.Globalization.CultureInfo.InvariantCulture), "must lie in 0..18");
            using var node = isOffline ? null : context.ConnectNode(parse);
            var market = node is null ? null : await node.MarketAsync();
            var currency = market?.Currency ?? Currency.Default with { Decimals = parse.GetValue(decimals) };
            var terms = new EnergyContract
            {
                Seller = NodeClient.Bytes(Terms.Party(context, parse.GetValue(seller)!, "--seller")),
                Buyer = NodeClient.Bytes(Terms.Party(context, parse.GetValue(buyer)!, "--buyer")),
                SellerMeter = parse.GetValue(sellerMeter)!, BuyerMeter = parse.GetValue(buyerMeter)!,
                IntervalStart = Terms.Time(parse.GetValue(start)!, "--start", context.Env.TimeZone),
                IntervalCount = parse.GetValue(intervals),
                WhPerInterval = Terms.WattHours(parse.GetValue(kwh)!, "--kwh"),
                PricePerKwh = Terms.Money(parse.GetValue(price)!, "--price-per-kwh", currency),
                Nonce = Terms.Nonce(),
                ValidUntil = now + (ulong)Terms.Duration(parse.GetValue(validFor)!, "--valid-for").TotalSeconds,
            };
            if (terms.IntervalCount == 0) throw new WalletException(ExitCode.BadInput, ReasonCodes.InvalidArgument, "--intervals must be at least 1");
            if (node is not null) await ProposalChecks.RequireAcceptableAsync(node, market!, terms, now);
            var file = new ContractFile(terms, parse.GetValue(chainId) ?? market!.ChainId, currency);
            var path = parse.GetValue(output)!.FullName;
            file.Save(path, overwrite: false);
            context.Print(json, Describe(file, path), $"proposed contract {file.Id} in {path}{(node is null ? " (offline: not checked against a node)" : "")}; next: p2pe contract sign {path} --key NAME");
        }));
        return command;
    }

    private static Command Sign(CliContext context)
    {
        var file = FileArgument();
        var key = new SigningKey("Name of the seller's or buyer's key, or of the aggregator they delegated to");
        var yes = new Option<bool>("--yes") { Description = "Sign without asking for confirmation" };
        var command = new Command("sign", "Show the contract's terms, ask for confirmation and add your signature (an aggregator's stands for every party that delegated to it)") { file, yes };
        key.AddTo(command);
        command.SetAction((parse, _) => context.RunAsync(parse, async json =>
        {
            var path = parse.GetValue(file)!.FullName;
            var contract = ContractFile.Load(path);
            var name = parse.GetValue(key.Key)!;
            var signerAddress = SigningKey.AddressOf(context, name);
            if (contract.Signatures.ContainsKey(signerAddress))
                throw new WalletException(ExitCode.AlreadySigned, "ALREADY_SIGNED",
                    $"contract {contract.Id} already carries the signature of key '{name}' ({signerAddress}, for {Parties(contract, contract.For(signerAddress))}); nothing to add");
            RequireUnexpired(context, contract);
            bool party = signerAddress == contract.Seller || signerAddress == contract.Buyer;
            using var node = party && !HasNode(context, parse) ? null : context.ConnectNode(parse);
            IReadOnlyList<Address> covers = party ? [signerAddress] : await DelegatorsAmongPartiesAsync(node!, contract, signerAddress, name);
            if (!json) context.Env.Error.WriteLine(Summary(contract, signerAddress, covers, node is null ? null : await QuoteLineAsync(node, contract), context.Env.TimeZone));
            if (!parse.GetValue(yes))
            {
                if (context.Env.Confirm is not { } confirm)
                    throw new WalletException(ExitCode.NotConfirmed, "NOT_CONFIRMED", "refusing to sign without confirmation: stdin is not a terminal; pass --yes after reading the terms");
                if (!confirm($"Sign contract {contract.Id} as {Parties(contract, covers)}?"))
                    throw new WalletException(ExitCode.NotConfirmed, "NOT_CONFIRMED", "not signed: declined");
            }
            var privateKey = key.Unlock(context, parse);
            contract.Attach(privateKey.Sign(contract.Digest), party ? null : covers);
            contract.Save(path, overwrite: true);
            var missing = contract.Missing;
            context.Print(json, Describe(contract, path),
                $"signed contract {contract.Id} as {Parties(contract, covers)} ({signerAddress}); " +
                (missing.Count == 0 ? $"complete: p2pe contract submit {path}" : $"still needs the {Parties(contract, missing)}"));
        }));
        return command;
    }

    /// <summary>The parties that delegated to <paramref name="aggregator"/> (asked of the node); NOT_A_PARTY when none did.</summary>
    private static async Task<IReadOnlyList<Address>> DelegatorsAmongPartiesAsync(NodeClient node, ContractFile contract, Address aggregator, string name)
    {
        var covers = new List<Address>();
        foreach (var party in new[] { contract.Seller, contract.Buyer }.Distinct())
        {
            var account = await node.AccountAsync(party);
            if (account.Aggregators.Any(a => a.Span.SequenceEqual(aggregator.Bytes))) covers.Add(party);
        }
        return covers.Count > 0 ? covers
            : throw new WalletException(ExitCode.BadInput, ReasonCodes.NotAParty,
                $"key '{name}' ({aggregator}) is neither the seller nor the buyer of contract {contract.Id}, and neither delegated to it (the node at {node.Url} lists no such delegation)");
    }

    private static Command Submit(CliContext context)
    {
        var file = FileArgument();
        var command = new Command("submit", "Submit a contract both parties (or their aggregator) signed") { file };
        var waiting = Submission.AddTo(command);
        command.SetAction((parse, _) => context.RunAsync(parse, async json =>
        {
            var contract = ContractFile.Load(parse.GetValue(file)!.FullName);
            RequireUnexpired(context, contract);
            if (contract.Missing.Count > 0)
                throw new WalletException(ExitCode.BadInput, "MISSING_SIGNATURE", $"contract {contract.Id} still needs the signature of {string.Join(" and ", contract.Missing)} (or of an aggregator it delegated to)");
            using var node = context.ConnectNode(parse);
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
            using var node = context.ConnectNode(parse);
            var contracts = await node.ContractsAsync(who);
            if (json) { context.Print(true, new JsonObject { ["contracts"] = new JsonArray([.. contracts.Select(c => (JsonNode)LedgerViews.Contract(c))]) }, ""); return; }
            context.Env.Out.WriteLine($"{contracts.Count} contract(s)");
            if (contracts.Count == 0) return;
            LedgerViews.Render(context, Table(contracts, (await node.MarketAsync()).Currency));
        }));
        return command;
    }

    /// <summary>Committed contracts as a table: short ids and addresses, energy in kWh, money in the currency.</summary>
    public static Table Table(IEnumerable<ContractState> contracts, Currency currency)
    {
        var table = new Table().AddColumns("id", "seller", "buyer", "start", "intervals", "kWh/interval", $"price/kWh {currency.Code}", $"payment {currency.Code}", "settled");
        foreach (var c in contracts)
            table.AddRow(LedgerViews.Short(LedgerViews.Id(c.Id)), LedgerViews.Short(LedgerViews.Address(c.Terms.Seller)), LedgerViews.Short(LedgerViews.Address(c.Terms.Buyer)),
                Terms.Format(c.Terms.IntervalStart), c.Terms.IntervalCount.ToString(System.Globalization.CultureInfo.InvariantCulture), Terms.Kwh(c.Terms.WhPerInterval),
                currency.Format(c.Terms.PricePerKwh), currency.Format(c.Payment), $"{c.SettledIntervals}/{c.Terms.IntervalCount}");
        return table;
    }

    private static Command Show(CliContext context)
    {
        var id = new Argument<string>("ID") { Description = "The contract id (its EIP-712 digest, 0x-hex), or its short form 0x1234…abcd" };
        var command = new Command("show", "Show one committed contract with its locked fees") { id };
        command.SetAction((parse, _) => context.RunAsync(parse, async json =>
        {
            using var node = context.ConnectNode(parse);
            var text = parse.GetValue(id)!;
            var wanted = IdLookup.Full(text) ?? IdLookup.Resolve(text, "contract", "ID", (await node.ContractsAsync(null)).Select(c => c.Id));
            var contract = await node.ContractAsync(wanted);
            if (json) { context.Print(true, LedgerViews.Contract(contract), ""); return; }
            LedgerViews.Render(context, LedgerViews.Fields(LedgerViews.ContractRows(contract, (await node.MarketAsync()).Currency)));
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
            catch (FormatException e) { throw new WalletException(ExitCode.BadInput, ReasonCodes.BadSignature, $"SIG is not a 65-byte signature: {e.Message}"); }
            var before = contract.Signatures.Count;
            var signer = contract.Attach(parsed);
            if (contract.Signatures.Count == before)
                throw new WalletException(ExitCode.AlreadySigned, "ALREADY_SIGNED", $"contract {contract.Id} already carries a signature of {signer}; nothing to add");
            contract.Save(path, overwrite: true);
            context.Print(json, Describe(contract, path), $"attached the signature of {(signer == contract.Seller ? "seller" : "buyer")} {signer}; {contract.Signatures.Count} of 2 signatures");
        }));
        return command;
    }

    private static bool HasNode(CliContext context, ParseResult parse)
        => parse.GetValue(CliContext.Node) is { Length: > 0 } || new NodeProfile(context.Env.Home).Read()["node"] is not null;

    private static void RequireUnexpired(CliContext context, ContractFile contract)
    {
        var now = (ulong)context.Env.Clock.GetUtcNow().ToUnixTimeSeconds();
        if (contract.Terms.ValidUntil < now)
            throw new WalletException(ExitCode.Rejected, ReasonCodes.Expired, $"contract {contract.Id} was valid until {Terms.Format(contract.Terms.ValidUntil)}; propose a new one");
    }

    private static string Parties(ContractFile contract, IEnumerable<Address> parties)
        => string.Join(" and ", parties.Select(p => p == contract.Seller ? "seller" : p == contract.Buyer ? "buyer" : p.ToString()).Distinct());

    /// <summary>The fees the node would lock if the contract committed now, or why it could not say.</summary>
    private static async Task<string> QuoteLineAsync(NodeClient node, ContractFile contract)
    {
        var c = contract.Currency;
        try
        {
            var quote = await node.QuoteAsync(contract.Terms);
            return $"DMO {c.Format(quote.DmoFeeBuyer)} (buyer) + {c.Format(quote.DmoFeeSeller)} (seller), grid {c.Format(quote.GridFee)} (buyer, {quote.PathLevel}) at today's rates; " +
                   $"the buyer escrows {c.WithCode(quote.BuyerEscrow)}; locked at commit at the rates in force for the first interval";
        }
        catch (WalletException e) { return $"computed by the node at commit ({e.Reason}: {e.Message})"; }
    }

    /// <summary>What a signer should read before signing: who, when, how much, at what price, and what fees apply.</summary>
    private static string Summary(ContractFile contract, Address signer, IReadOnlyList<Address> covers, string? fees, TimeZoneInfo zone)
    {
        var t = contract.Terms;
        var c = contract.Currency;
        Int128 perInterval = (Int128)t.WhPerInterval * t.PricePerKwh / 1000;
        var start = DateTimeOffset.FromUnixTimeSeconds((long)Math.Min(t.IntervalStart, IsoTime.LastFormattableSecond));
        string You(Address party) => covers.Contains(party) ? (signer == party ? "  (you)" : $"  (you sign for it: {signer})") : "";
        return string.Join('\n',
            $"Contract {contract.Id} on chain {contract.ChainId}",
            $"  seller  {contract.Seller} meter {t.SellerMeter}{You(contract.Seller)}",
            $"  buyer   {contract.Buyer} meter {t.BuyerMeter}{You(contract.Buyer)}",
            $"  when    {t.IntervalCount} interval(s) from {Terms.Format(t.IntervalStart)} ({TimeZoneInfo.ConvertTime(start, zone):yyyy-MM-dd HH:mm zzz} local)",
            $"  energy  {Terms.Kwh(t.WhPerInterval)} kWh per interval, {Terms.Kwh((Int128)t.WhPerInterval * t.IntervalCount)} kWh in all",
            $"  price   {c.WithCode(t.PricePerKwh)} per kWh; payment {c.WithCode(perInterval)} per interval, {c.WithCode(perInterval * t.IntervalCount)} in all (buyer → seller)",
            $"  fees    {fees ?? "computed by the node at commit (DMO and grid fees at the rates in force for the first interval)"}",
            $"  valid until {Terms.Format(t.ValidUntil)}; consent so far: {(contract.Covered.Count == 0 ? "none" : Parties(contract, contract.Covered))}");
    }

    private static JsonObject Describe(ContractFile contract, string path) => new()
    {
        ["id"] = contract.Id,
        ["file"] = path,
        ["chainId"] = contract.ChainId,
        ["currency"] = contract.Currency.Code,
        ["terms"] = LedgerViews.Terms(contract.Terms),
        ["signedBy"] = new JsonArray([.. contract.Signatures.Keys.Select(a => (JsonNode)a.ToString())]),
        ["missing"] = new JsonArray([.. contract.Missing.Select(a => (JsonNode)a.ToString())]),
    };
}
