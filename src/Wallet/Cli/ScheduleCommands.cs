using System.CommandLine;
using System.Globalization;
using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Wallet.Node;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Wallet.Failures;

namespace P2PEnergy.Wallet.Cli;

/// <summary>
/// <c>p2pe operator fees set (dmo|grid|polr)</c>, <c>baseline set --file</c> and <c>grid update --file</c>: the
/// schedules that take effect from a future interval (fee schedule parts, the planner's baseline, the grid model).
/// </summary>
internal static class ScheduleCommands
{
    public static IEnumerable<Command> Create(CliContext context)
    {
        var fees = new Command("fees", "Fee schedule parts");
        var set = new Command("set", "Set a fee schedule part from --effective-from");
        set.Subcommands.Add(Dmo(context));
        set.Subcommands.Add(Grid(context));
        set.Subcommands.Add(Polr(context));
        fees.Subcommands.Add(set);

        var baseline = new Command("baseline", "The planner's baseline flows");
        baseline.Subcommands.Add(Baseline(context));

        var grid = new Command("grid", "The utility's grid model");
        grid.Subcommands.Add(GridModel(context));
        return [fees, baseline, grid];
    }

    private static Option<string> EffectiveFrom() => new("--effective-from") { Description = "Interval start (ISO 8601) from which it applies; must lie in the future", Required = true };

    private static Option<string> Amount(string name, string description) => new(name) { Description = description + " (in the market's currency, e.g. 0.002)", DefaultValueFactory = _ => "0" };

    private static ulong Micro(ParseResult parse, Option<string> option, Market market) => Terms.Money(parse.GetValue(option)!, option.Name, market.Currency);

    private static ulong From(ParseResult parse, Option<string> option, CliContext context) => Terms.Time(parse.GetValue(option)!, option.Name, context.Env.TimeZone);

    private static Command Dmo(CliContext context)
    {
        var from = EffectiveFrom();
        var fixedFee = Amount("--fixed-per-contract", "Fixed DMO fee per contract");
        var perKwh = Amount("--per-kwh", "DMO fee per kWh");
        var share = new Option<uint>("--buyer-share-permille") { Description = "Buyer's share of the DMO fee, ‰", DefaultValueFactory = _ => 500 };
        var subscription = Amount("--subscription-per-month", "Monthly subscription per participant");
        return OperatorCommands.Signed(context, "dmo", "Market operator: DMO fees", "market operator's", [from, fixedFee, perKwh, share, subscription], (parse, _, market) => Task.FromResult<IMessage>(new SetDmoFees
        {
            EffectiveFrom = From(parse, from, context), FixedPerContract = Micro(parse, fixedFee, market), PerKwh = Micro(parse, perKwh, market),
            BuyerSharePermille = parse.GetValue(share), SubscriptionPerMonth = Micro(parse, subscription, market), Nonce = Terms.Nonce(),
        }));
    }

    private static Command Grid(CliContext context)
    {
        var from = EffectiveFrom();
        var transformer = Amount("--same-transformer-per-kwh", "Grid fee within one transformer, per kWh");
        var feeder = Amount("--same-feeder-per-kwh", "Grid fee within one feeder, per kWh");
        var substation = Amount("--same-substation-per-kwh", "Grid fee within one substation, per kWh");
        var across = Amount("--across-substations-per-kwh", "Grid fee across substations, per kWh");
        return OperatorCommands.Signed(context, "grid", "Utility: grid use-of-system fees", "utility's", [from, transformer, feeder, substation, across], (parse, _, market) => Task.FromResult<IMessage>(new SetGridFees
        {
            EffectiveFrom = From(parse, from, context), SameTransformerPerKwh = Micro(parse, transformer, market), SameFeederPerKwh = Micro(parse, feeder, market),
            SameSubstationPerKwh = Micro(parse, substation, market), AcrossSubstationsPerKwh = Micro(parse, across, market), Nonce = Terms.Nonce(),
        }));
    }

    private static Command Polr(CliContext context)
    {
        var from = EffectiveFrom();
        var standby = Amount("--standby-per-day", "Standby fee per participant and day");
        var bands = new Option<string[]>("--band") { Description = "Time-of-use band FROM_MINUTE:SELL_PER_KWH:BUY_PER_KWH (UTC minute of day; prices in the currency); repeat", Required = true, AllowMultipleArgumentsPerToken = true };
        return OperatorCommands.Signed(context, "polr", "Utility: POLR tariff", "utility's", [from, standby, bands], (parse, _, market) =>
        {
            var tariff = new SetPolrTariff { EffectiveFrom = From(parse, from, context), StandbyPerDay = Micro(parse, standby, market), Nonce = Terms.Nonce() };
            foreach (var band in parse.GetValue(bands)!)
            {
                var parts = band.Split(':');
                if (parts.Length != 3 || !uint.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var minute))
                    throw Terms.Bad("--band", band, "is not FROM_MINUTE:SELL_PER_KWH:BUY_PER_KWH (a minute of the day, then two prices in the currency)");
                tariff.Prices.Add(new PolrPrice
                {
                    FromMinute = minute, SellPerKwh = Terms.Money(parts[1], $"--band {band}: SELL_PER_KWH", market.Currency), BuyPerKwh = Terms.Money(parts[2], $"--band {band}: BUY_PER_KWH", market.Currency),
                });
            }
            return Task.FromResult<IMessage>(tariff);
        });
    }

    private static Command Baseline(CliContext context)
    {
        var file = new Option<FileInfo>("--file") { Description = "JSON {\"intervalStart\", \"intervalCount\", \"entries\": [{\"element\", \"activeW\", \"reactiveVar\"}]}", Required = true };
        return OperatorCommands.Signed(context, "set", "Planner: baseline flows per grid element for a run of intervals", "planner's", [file], parse =>
        {
            var path = parse.GetValue(file)!.FullName;
            SetBaseline baseline;
            try { baseline = JsonParser.Default.Parse<SetBaseline>(Read(path)); }
            catch (InvalidProtocolBufferException e) { throw new WalletException(ExitCode.BadInput, "MALFORMED_BASELINE", $"{path}: {e.Message}"); }
            baseline.Nonce = Terms.Nonce();
            return baseline;
        });
    }

    private static Command GridModel(CliContext context)
    {
        var file = new Option<FileInfo>("--file") { Description = "The grid model JSON; carried as the transaction's attachment", Required = true };
        var from = EffectiveFrom();
        return OperatorCommands.Signed(context, "update", "Utility: a new grid model from a future interval (UpdateGridModel)", "utility's", [file, from],
            parse => new UpdateGridModel
            {
                ModelHash = ByteString.CopyFrom(Keccak256.Hash(ReadBytes(parse.GetValue(file)!.FullName)).Bytes),
                EffectiveFrom = From(parse, from, context), Nonce = Terms.Nonce(),
            },
            parse => ByteString.CopyFrom(ReadBytes(parse.GetValue(file)!.FullName)));
    }

    private static string Read(string path) => System.Text.Encoding.UTF8.GetString(ReadBytes(path));

    private static byte[] ReadBytes(string path)
    {
        try { return File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new WalletException(ExitCode.BadInput, "UNREADABLE_INPUT", $"cannot read {path}: {e.Message}"); }
    }
}
