using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Node.Ledger.Genesis;

/// <summary>
/// The genesis file (docs/genesis.md): chain parameters, authority accounts, validators, initial fees,
/// participants, meters and deposits. <see cref="Parse"/> validates everything and names the offending field.
/// </summary>
public sealed class GenesisDocument
{
    public ulong ChainId { get; set; }
    public string MarketName { get; set; } = "";
    public string Currency { get; set; } = "EUR";
    public int CurrencyDecimals { get; set; } = 6;
    public string GenesisTime { get; set; } = "";
    public ulong IntervalSeconds { get; set; } = 900;
    public ulong GateClosureSeconds { get; set; } = 300;
    public ulong ReadingWindowSeconds { get; set; } = 3600;
    public string DsoModel { get; set; } = "IndependentDmo";
    public bool UtilityMayTrade { get; set; }
    public uint MaxIntervalCount { get; set; } = 2976; // 31 days of 15-minute intervals
    /// <summary>400 days: a year-ahead contract fits; a start in year 9999, or in milliseconds by mistake, does not.</summary>
    public const ulong DefaultMaxStartAheadSeconds = 400 * 86_400;
    /// <summary>The longest horizon genesis may set: ten years.</summary>
    public const ulong MaxMaxStartAheadSeconds = 3_650 * 86_400;
    public ulong MaxStartAheadSeconds { get; set; } = DefaultMaxStartAheadSeconds;
    /// <summary>
    /// Most settlement steps one block runs (docs/settlement.md). Below 100 a day's standby or an interval of a few hundred
    /// meters would crawl over many blocks; above 1,000,000 one block could execute for seconds and stall consensus.
    /// </summary>
    public int SettlementStepsPerBlock { get; set; } = ChainParameters.DefaultSettlementStepsPerBlock;
    public const int MinSettlementStepsPerBlock = 100, MaxSettlementStepsPerBlock = 1_000_000;

    /// <summary>Blocks between snapshot heights (AttestStateRoot); 0 = no snapshots. About 3 hours of 1-second blocks.</summary>
    public const ulong DefaultSnapshotIntervalBlocks = 10_000;
    /// <summary>The shortest snapshot interval: attestations take a few blocks to commit, and each height costs a state scan.</summary>
    public const ulong MinSnapshotIntervalBlocks = 10;
    public ulong SnapshotIntervalBlocks { get; set; } = DefaultSnapshotIntervalBlocks;
    public string Utility { get; set; } = "";
    public string MarketOperator { get; set; } = "";
    public string Planner { get; set; } = "";
    public string Regulator { get; set; } = "";
    /// <summary>Who may sign SetValidatorSet; empty means the utility (docs/genesis.md).</summary>
    public string? ValidatorAuthority { get; set; }
    public List<GenesisValidator> Validators { get; set; } = [];
    public GenesisFees Fees { get; set; } = new();
    public List<GenesisParticipant> Participants { get; set; } = [];
    public List<GenesisMeter> Meters { get; set; } = [];
    /// <summary>Path of the grid model file, relative to the genesis file; optional until a grid model is used.</summary>
    public string? GridModelFile { get; set; }
    /// <summary>keccak256 of the grid model file's bytes, 0x-hex; required when <see cref="GridModelFile"/> is set.</summary>
    public string? GridModelHash { get; set; }

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
    };

    /// <summary>Parses and validates genesis JSON; throws <see cref="GenesisException"/> naming the field.</summary>
    public static GenesisDocument Parse(string json)
    {
        GenesisDocument? document;
        try { document = JsonSerializer.Deserialize<GenesisDocument>(json, Options); }
        catch (JsonException e) { throw new GenesisException($"genesis is not valid JSON for this schema: {e.Message}"); }
        if (document is null) throw new GenesisException("genesis is empty");
        document.ToParameters(); // validates
        return document;
    }

    /// <summary>The canonical JSON of this document (what <c>devnet</c> writes).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Options);

    /// <summary>Validated chain parameters.</summary>
    public ChainParameters ToParameters()
    {
        if (ChainId == 0) throw new GenesisException("chainId must be > 0");
        if (string.IsNullOrWhiteSpace(MarketName)) throw new GenesisException("marketName is required");
        if (CurrencyDecimals is < 0 or > 18) throw new GenesisException($"currencyDecimals must be in [0, 18], got {CurrencyDecimals}");
        if (IntervalSeconds is < 10 or > 86_400 || 86_400 % IntervalSeconds != 0)
            throw new GenesisException($"intervalSeconds must divide a day and lie in [10, 86400], got {IntervalSeconds}");
        if (GateClosureSeconds > 86_400) throw new GenesisException($"gateClosureSeconds must be ≤ 86400, got {GateClosureSeconds}");
        if (ReadingWindowSeconds < IntervalSeconds || ReadingWindowSeconds > 7 * 86_400)
            throw new GenesisException($"readingWindowSeconds must lie in [intervalSeconds={IntervalSeconds}, 604800], got {ReadingWindowSeconds}");
        if (MaxIntervalCount is 0 or > 100_000) throw new GenesisException($"maxIntervalCount must lie in [1, 100000], got {MaxIntervalCount}");
        // Below gate closure + one interval no contract could ever be placed: the first open interval starts further out.
        if (MaxStartAheadSeconds < GateClosureSeconds + IntervalSeconds || MaxStartAheadSeconds > MaxMaxStartAheadSeconds)
            throw new GenesisException($"maxStartAheadSeconds must lie in [gateClosureSeconds + intervalSeconds = {GateClosureSeconds + IntervalSeconds}, {MaxMaxStartAheadSeconds}], got {MaxStartAheadSeconds}");
        if (SettlementStepsPerBlock is < MinSettlementStepsPerBlock or > MaxSettlementStepsPerBlock)
            throw new GenesisException($"settlementStepsPerBlock must lie in [{MinSettlementStepsPerBlock}, {MaxSettlementStepsPerBlock}], got {SettlementStepsPerBlock}");
        if (!Enum.TryParse<DsoModel>(DsoModel, ignoreCase: false, out var model))
            throw new GenesisException($"dsoModel must be UtilityDmo or IndependentDmo, got '{DsoModel}'");
        if (model == Genesis.DsoModel.UtilityDmo && UtilityMayTrade)
            throw new GenesisException("utilityMayTrade must be false under UtilityDmo (Model 5: the utility runs the market)");
        if (!DateTimeOffset.TryParse(GenesisTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            throw new GenesisException($"genesisTime must be an ISO 8601 UTC time, got '{GenesisTime}'");
        var utility = Addr(Utility, "utility");
        var operatorAddress = Addr(MarketOperator, "marketOperator");
        var planner = Addr(Planner, "planner");
        var regulator = Addr(Regulator, "regulator");
        if (Validators.Count == 0) throw new GenesisException("validators must list at least one validator");
        var validators = Validators.Select((v, i) =>
        {
            if (v.Power <= 0) throw new GenesisException($"validators[{i}].power must be > 0, got {v.Power}");
            // The limits SetValidatorSet's entries have (TextLimits, in UTF-8 bytes), so a genesis set can be re-submitted.
            if (TextLimits.FirstOver(new ValidatorEntry { Operator = v.Operator ?? "", Role = v.Role ?? "" }) is { } over)
                throw new GenesisException($"validators[{i}].{over.Field} is {over.Bytes} bytes, the limit is {over.Limit}");
            return new ValidatorInfo(Addr(v.Address, $"validators[{i}].address"), v.Power, v.Endpoint ?? "") { Operator = v.Operator ?? "", Role = v.Role ?? "" };
        }).ToList();
        var twice = validators.GroupBy(v => v.Address).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new GenesisException($"validators lists {twice.Key} twice");
        if (validators.Count > ValidatorInfo.MaxValidators) throw new GenesisException($"validators lists {validators.Count}, the limit is {ValidatorInfo.MaxValidators}");
        var totalPower = validators.Aggregate(Int128.Zero, (sum, v) => sum + v.Power);
        if (totalPower > ValidatorInfo.MaxTotalPower) throw new GenesisException($"validators' total power must be ≤ {ValidatorInfo.MaxTotalPower}, got {totalPower}");
        var validatorAuthority = string.IsNullOrEmpty(ValidatorAuthority) ? utility : Addr(ValidatorAuthority, "validatorAuthority");
        var authorities = new[] { utility, operatorAddress, planner, regulator, validatorAuthority };
        var seen = new HashSet<Address>();
        for (int i = 0; i < Participants.Count; i++)
        {
            var p = Participants[i];
            var address = Addr(p.Address, $"participants[{i}].address");
            if (!Roles.IsParticipantRole(p.Role)) throw new GenesisException($"participants[{i}].role must be one of {string.Join(", ", Roles.ParticipantRoles)}, got '{p.Role}'");
            if (authorities.Contains(address)) throw new GenesisException($"participants[{i}].address {address} is an authority account and cannot be a participant");
            if (!seen.Add(address)) throw new GenesisException($"participants[{i}].address {address} is listed twice");
        }
        var meterIds = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < Meters.Count; i++)
        {
            var m = Meters[i];
            if (!MeterId.IsValid(m.Meter)) throw new GenesisException($"meters[{i}].meter '{m.Meter}' is not a valid meter id ({MeterId.Rule})");
            if (!meterIds.Add(m.Meter)) throw new GenesisException($"meters[{i}].meter '{m.Meter}' is listed twice");
            var owner = Addr(m.Owner, $"meters[{i}].owner");
            if (!seen.Contains(owner) && owner != utility) throw new GenesisException($"meters[{i}].owner {owner} is not a genesis participant");
            Addr(m.Device, $"meters[{i}].device");
            if (m.PowerFactorMilli > 1000) throw new GenesisException($"meters[{i}].powerFactorMilli must be ≤ 1000, got {m.PowerFactorMilli}");
        }
        if (GridModelFile is not null && GridModelHash is null) throw new GenesisException("gridModelHash is required with gridModelFile");
        if (SnapshotIntervalBlocks != 0 && SnapshotIntervalBlocks is < MinSnapshotIntervalBlocks or > 100_000_000)
            throw new GenesisException($"snapshotIntervalBlocks must be 0 (off) or lie in [{MinSnapshotIntervalBlocks}, 100000000], got {SnapshotIntervalBlocks}");
        Fees.Validate();
        return new ChainParameters
        {
            ChainId = ChainId, MarketName = MarketName, Currency = Currency, CurrencyDecimals = CurrencyDecimals,
            IntervalSeconds = IntervalSeconds, GateClosureSeconds = GateClosureSeconds, ReadingWindowSeconds = ReadingWindowSeconds,
            DsoModel = model, UtilityMayTrade = UtilityMayTrade, Utility = utility, MarketOperator = operatorAddress,
            Planner = planner, Regulator = regulator, Validators = validators, MaxIntervalCount = MaxIntervalCount, MaxStartAheadSeconds = MaxStartAheadSeconds,
            SettlementStepsPerBlock = SettlementStepsPerBlock, GenesisTimeMs = time.ToUnixTimeMilliseconds(), ValidatorAuthority = validatorAuthority, SnapshotIntervalBlocks = SnapshotIntervalBlocks,
        };
    }

    /// <summary>
    /// Advice that does not stop the chain: when validators name their operators, any operator holding ≥ 1/3 of the
    /// voting power can halt consensus alone (and with 2/3 rewrite it), which defeats the point of a shared ledger.
    /// </summary>
    public IReadOnlyList<string> Advice() => ValidatorAdvice.OperatorShares(ToParameters().Validators);

    private static Address Addr(string? text, string field)
        => Address.TryParse(text, out var address, out var error) ? address : throw new GenesisException($"{field}: {error}");
}

public sealed class GenesisValidator
{
    public string Address { get; set; } = "";
    public long Power { get; set; } = 1;
    public string? Endpoint { get; set; }
    /// <summary>The organisation that runs the validator (utility, DMO, regulator, ...); optional.</summary>
    public string? Operator { get; set; }
    /// <summary>What the operator is to the market (Utility, MarketOperator, Regulator, Independent, ...); optional.</summary>
    public string? Role { get; set; }
}

public sealed class GenesisParticipant
{
    public string Address { get; set; } = "";
    public string Role { get; set; } = "";
    public string Name { get; set; } = "";
    /// <summary>Initial balance in micro-units (devnets).</summary>
    public ulong Deposit { get; set; }
}

public sealed class GenesisMeter
{
    public string Meter { get; set; } = "";
    public string Owner { get; set; } = "";
    public string GridNode { get; set; } = "";
    public string Device { get; set; } = "";
    public ulong ImportLimitW { get; set; }
    public ulong ExportLimitW { get; set; }
    public uint PowerFactorMilli { get; set; }
}

/// <summary>Initial fee schedule, effective from genesis. Amounts in micro-units.</summary>
public sealed class GenesisFees
{
    public ulong DmoFixedPerContract { get; set; }
    public ulong DmoPerKwh { get; set; }
    public uint DmoBuyerSharePermille { get; set; } = 500;
    public ulong DmoSubscriptionPerMonth { get; set; }
    public ulong GridSameTransformerPerKwh { get; set; }
    public ulong GridSameFeederPerKwh { get; set; }
    public ulong GridSameSubstationPerKwh { get; set; }
    public ulong GridAcrossSubstationsPerKwh { get; set; }
    public ulong PolrStandbyPerDay { get; set; }
    public List<GenesisPolrPrice> PolrPrices { get; set; } = [new()];

    internal void Validate()
    {
        if (DmoBuyerSharePermille > 1000) throw new GenesisException($"fees.dmoBuyerSharePermille must be ≤ 1000, got {DmoBuyerSharePermille}");
        if (PolrPrices.Count == 0 || PolrPrices[0].FromMinute != 0) throw new GenesisException("fees.polrPrices must start with a band at fromMinute 0");
        for (int i = 1; i < PolrPrices.Count; i++)
            if (PolrPrices[i].FromMinute <= PolrPrices[i - 1].FromMinute || PolrPrices[i].FromMinute >= 1440)
                throw new GenesisException($"fees.polrPrices[{i}].fromMinute must increase and stay below 1440, got {PolrPrices[i].FromMinute}");
    }
}

public sealed class GenesisPolrPrice
{
    public uint FromMinute { get; set; }
    public ulong SellPerKwh { get; set; }
    public ulong BuyPerKwh { get; set; }
}

/// <summary>A genesis file that cannot start a chain; the message names the field.</summary>
public sealed class GenesisException(string message) : Exception(message);
