using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Wallet.Keys;
using P2PEnergy.Wallet.Failures;

namespace P2PEnergy.Wallet.Devnet;

/// <summary>
/// Generates a complete DEV-ONLY devnet in one directory: keys for the authorities, the validator and every
/// participant (keystores in <c>wallet/</c>, usable as <c>P2PE_HOME</c>, all under the password in
/// <c>dev-password.txt</c>), a grid model with one congested transformer, a genesis with participants, meters and
/// deposits, <c>devnet.json</c>, and the node's data directory via <c>p2pe-node init</c>.
/// </summary>
public static class DevnetGenerator
{
    /// <summary>The password every devnet keystore uses: public, in the devnet directory, for development only.</summary>
    public const string DevPassword = "devnet-only-password";

    // Cheap scrypt (N = 2^12): dozens of keys in seconds. Dev-only; real keys use the wallet's standard parameters.
    private static readonly ScryptKdf DevKdf = new(1 << 12, 8, 1);

    /// <summary>Generates the devnet; the directory must be missing or empty. Returns its manifest.</summary>
    public static DevnetManifest Generate(DevnetOptions options, TimeProvider clock)
    {
        if (options.Participants is < 2 or > 500) throw new ArgumentException($"--participants must lie in [2, 500], got {options.Participants}");
        if (options.DsoModel is not ("UtilityDmo" or "IndependentDmo")) throw new ArgumentException($"--dso-model must be UtilityDmo or IndependentDmo, got '{options.DsoModel}'");
        var dir = Path.GetFullPath(options.Directory);
        if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any()) throw new IOException($"devnet directory {dir} is not empty");
        Directory.CreateDirectory(dir);
        var passwordFile = Path.Combine(dir, DevnetManifest.PasswordFileName);
        File.WriteAllText(passwordFile, DevPassword + "\n");
        var ring = new KeyRing(Path.Combine(dir, "wallet", "keystore"), clock);

        Address NewKey(string name)
        {
            var key = PrivateKey.Generate();
            ring.Add(name, key.Address, Keystore.Encrypt(key.Bytes, DevPassword, DevKdf).ToJson());
            if (name == "validator") File.WriteAllText(Path.Combine(dir, "validator.key"), Hex.Encode(key.Bytes) + "\n");
            return key.Address;
        }

        var authorities = new Dictionary<string, string>();
        foreach (var name in new[] { "utility", "dmo", "planner", "regulator", "validator" })
        {
            // Model 5: the utility is the market operator, so there is no separate DMO key.
            if (name == "dmo" && options.DsoModel == "UtilityDmo") { authorities[name] = authorities["utility"]; continue; }
            authorities[name] = NewKey(name).ToString();
        }

        var participants = new List<DevnetParticipant>();
        for (int i = 0; i < options.Participants; i++)
        {
            var name = $"p{i + 1:00}";
            var botRole = DevnetParticipant.BotRoleOf(i);
            participants.Add(new DevnetParticipant(name, NewKey(name).ToString(), DevnetParticipant.LedgerRoleOf(botRole), $"MTR-{i + 1:00}",
                $"SP{i + 1:00}", botRole, DevnetParticipant.DriverOf(botRole)));
        }

        var gridModel = DevnetGridModel.Build(participants.Select((p, i) => (p.ServicePoint, DevnetGridModel.TransformerOf(i))));
        File.WriteAllText(Path.Combine(dir, "grid-model.json"), gridModel);
        var genesis = Genesis(options, clock, authorities, participants, Keccak256.Hash(System.Text.Encoding.UTF8.GetBytes(gridModel)));
        File.WriteAllText(Path.Combine(dir, "genesis.json"), genesis);

        var manifest = new DevnetManifest
        {
            ChainId = options.ChainId, DsoModel = options.DsoModel, IntervalSeconds = options.IntervalSeconds, GateClosureSeconds = options.GateClosureSeconds,
            WalletHome = Path.Combine(dir, "wallet"), NodeDataDir = Path.Combine(dir, "node"), PasswordFile = passwordFile,
            Authorities = authorities, Participants = participants, GenesisDeposits = options.Deposit * (ulong)participants.Count,
        };
        manifest.Write(dir);
        // The profile points p2pe at the default port until devnet/up rewrites it with the port the node got.
        if (options.NodeDll is not null) InitNode(options.NodeDll, dir, passwordFile);
        return manifest;
    }

    private static string Genesis(DevnetOptions options, TimeProvider clock, Dictionary<string, string> authorities, List<DevnetParticipant> participants, Hash32 modelHash)
    {
        var now = clock.GetUtcNow();
        var genesisTime = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(-1);
        var doc = new JsonObject
        {
            ["chainId"] = options.ChainId,
            ["marketName"] = $"P2PEnergy devnet ({options.DsoModel})",
            ["currency"] = "EUR",
            ["currencyDecimals"] = 6,
            ["genesisTime"] = genesisTime.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            ["intervalSeconds"] = options.IntervalSeconds,
            ["gateClosureSeconds"] = options.GateClosureSeconds,
            ["readingWindowSeconds"] = options.ReadingWindowSeconds ?? Math.Max(120, 2 * options.IntervalSeconds),
            ["dsoModel"] = options.DsoModel,
            ["utilityMayTrade"] = false,
            ["utility"] = authorities["utility"],
            ["marketOperator"] = authorities["dmo"],
            ["planner"] = authorities["planner"],
            ["regulator"] = authorities["regulator"],
            ["validators"] = new JsonArray { new JsonObject { ["address"] = authorities["validator"], ["power"] = 1, ["endpoint"] = "http://127.0.0.1:5080" } },
            ["fees"] = new JsonObject
            {
                ["dmoFixedPerContract"] = 1000, ["dmoPerKwh"] = 2000, ["dmoBuyerSharePermille"] = 500,
                ["gridSameTransformerPerKwh"] = 5000, ["gridSameFeederPerKwh"] = 8000, ["gridSameSubstationPerKwh"] = 10000, ["gridAcrossSubstationsPerKwh"] = 15000,
                ["polrPrices"] = new JsonArray { new JsonObject { ["fromMinute"] = 0, ["sellPerKwh"] = 300_000, ["buyPerKwh"] = 50_000 } },
            },
            ["participants"] = new JsonArray([.. participants.Select(p => (JsonNode)new JsonObject
                { ["address"] = p.Address, ["role"] = p.LedgerRole, ["name"] = $"{p.KeyName} ({p.BotRole})", ["deposit"] = options.Deposit })]),
            ["meters"] = new JsonArray([.. participants.Select(p => (JsonNode)new JsonObject
            {
                ["meter"] = p.Meter, ["owner"] = p.Address, ["gridNode"] = p.ServicePoint, ["device"] = p.Address,
                ["importLimitW"] = DevnetGridModel.MeterLimitW, ["exportLimitW"] = DevnetGridModel.MeterLimitW, ["powerFactorMilli"] = 1000,
            })]),
            ["gridModelFile"] = "grid-model.json",
            ["gridModelHash"] = Hex.Encode(modelHash.Bytes),
        };
        return "// DEV-ONLY generated devnet genesis: every key is in wallet/ under a public password.\n"
            + doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static void InitNode(string nodeDll, string dir, string passwordFile)
    {
        var self = Environment.ProcessPath;
        var host = self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { nodeDll, "init", "--genesis", Path.Combine(dir, "genesis.json"), "--data-dir", Path.Combine(dir, "node"),
                     "--password-file", passwordFile, "--validator-key-file", Path.Combine(dir, "validator.key") })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new IOException($"cannot start {host} {nodeDll}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new IOException($"p2pe-node init failed ({process.ExitCode}): {error.Trim()} {output.Result.Trim()}");
    }
}
