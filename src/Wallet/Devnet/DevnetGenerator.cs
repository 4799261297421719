using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Wallet.Keys;
using P2PEnergy.Wallet.Failures;

namespace P2PEnergy.Wallet.Devnet;

/// <summary>
/// Generates a complete DEV-ONLY devnet in one directory: keys for the authorities, the validators and every
/// participant (keystores in <c>wallet/</c>, usable as <c>P2PE_HOME</c>, all under the password in
/// <c>dev-password.txt</c>), a grid model with one congested transformer, a genesis with N equal-power validators,
/// participants, meters and deposits, <c>devnet.json</c>, and a data directory per node (<c>nodes/NAME</c>, each by
/// <c>p2pe-node init</c>): one per validator and the observer's.
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
        if (options.Validators is < 1 or > DevnetNode.MaxValidators) throw new ArgumentException($"--validators must lie in [1, {DevnetNode.MaxValidators}], got {options.Validators}");
        if (options.DsoModel is not ("UtilityDmo" or "IndependentDmo")) throw new ArgumentException($"--dso-model must be UtilityDmo or IndependentDmo, got '{options.DsoModel}'");
        var dir = Path.GetFullPath(options.Directory);
        if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any()) throw new IOException($"devnet directory {dir} is not empty");
        Directory.CreateDirectory(dir);
        var passwordFile = Path.Combine(dir, DevnetManifest.PasswordFileName);
        File.WriteAllText(passwordFile, DevPassword + "\n");
        var ring = new KeyRing(Path.Combine(dir, "wallet", "keystore"), clock);

        PrivateKey NewPrivateKey(string name)
        {
            var key = PrivateKey.Generate();
            ring.Add(name, key.Address, Keystore.Encrypt(key.Bytes, DevPassword, DevKdf).ToJson());
            return key;
        }
        Address NewKey(string name) => NewPrivateKey(name).Address;

        // Each validator's key in the wallet (validator-NAME) and as the hex file p2pe-node init imports.
        var validators = new List<(string Name, string Operator, string Role, Address Address, string KeyFile)>();
        foreach (var (name, operatorName, role) in DevnetNode.Operators.Take(options.Validators))
        {
            var key = NewPrivateKey($"validator-{name}");
            var keyFile = Path.Combine(dir, $"validator-{name}.key");
            File.WriteAllText(keyFile, Hex.Encode(key.Bytes) + "\n");
            validators.Add((name, operatorName, role, key.Address, keyFile));
        }

        var authorities = new Dictionary<string, string>();
        foreach (var name in new[] { "utility", "dmo", "planner", "regulator" })
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
        var genesisValidators = validators.Select(v => (v.Address, v.Operator, v.Role)).ToList();
        var genesis = Genesis(options, clock, authorities, genesisValidators, participants, Keccak256.Hash(System.Text.Encoding.UTF8.GetBytes(gridModel)));
        File.WriteAllText(Path.Combine(dir, "genesis.json"), genesis);

        var nodes = new List<DevnetNode>();
        string DataDir(string name) => Path.Combine(dir, "nodes", name);
        foreach (var v in validators)
            nodes.Add(new DevnetNode(v.Name, DevnetNode.ValidatorRole, DataDir(v.Name), v.Address.ToString(),
                options.NodeDll is null ? "" : InitNode(options.NodeDll, dir, DataDir(v.Name), passwordFile, v.KeyFile)));
        if (options.Observer)
            nodes.Add(new DevnetNode(DevnetNode.ObserverName, DevnetNode.ObserverRole, DataDir(DevnetNode.ObserverName), null,
                options.NodeDll is null ? "" : InitNode(options.NodeDll, dir, DataDir(DevnetNode.ObserverName), passwordFile, validatorKeyFile: null)));

        var manifest = new DevnetManifest
        {
            ChainId = options.ChainId, DsoModel = options.DsoModel, IntervalSeconds = options.IntervalSeconds, GateClosureSeconds = options.GateClosureSeconds,
            WalletHome = Path.Combine(dir, "wallet"), NodeDataDir = nodes[0].DataDir, Nodes = nodes, PasswordFile = passwordFile,
            Authorities = authorities, Participants = participants, GenesisDeposits = options.Deposit * (ulong)participants.Count,
        };
        manifest.Write(dir);
        return manifest;
    }

    private static string Genesis(DevnetOptions options, TimeProvider clock, Dictionary<string, string> authorities,
        List<(Address Address, string Operator, string Role)> validators, List<DevnetParticipant> participants, Hash32 modelHash)
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
            // Equal power: any ⌊2N/3⌋ + 1 of them commit a block.
            ["validators"] = new JsonArray([.. validators.Select(v => (JsonNode)new JsonObject
                { ["address"] = v.Address.ToString(), ["power"] = 1, ["operator"] = v.Operator, ["role"] = v.Role })]),
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

    /// <summary>
    /// <c>p2pe-node init</c> into <paramref name="dataDir"/>: importing <paramref name="validatorKeyFile"/>, or (null) as an
    /// observer, which holds no validator key in the set. Returns the address of the node key init generated.
    /// </summary>
    private static string InitNode(string nodeDll, string dir, string dataDir, string passwordFile, string? validatorKeyFile)
    {
        var self = Environment.ProcessPath;
        var host = self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var arguments = new List<string> { nodeDll, "init", "--genesis", Path.Combine(dir, "genesis.json"), "--data-dir", dataDir, "--password-file", passwordFile };
        arguments.AddRange(validatorKeyFile is null ? ObserverInit : ["--validator-key-file", validatorKeyFile]);
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new IOException($"cannot start {host} {nodeDll}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new IOException($"p2pe-node init --data-dir {dataDir} failed ({process.ExitCode}): {error.Trim()} {output.Result.Trim()}");
        var nodeKey = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dataDir, "node-key.json")))!;
        return (string)nodeKey["address"]!;
    }

    /// <summary>How init makes an observer's data directory.</summary>
    private static readonly string[] ObserverInit = ["--observer"];
}
