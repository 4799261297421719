using System.Text.Json;
using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Node.Hosting;

/// <summary>
/// <c>snapshot import --trusted-validators FILE</c>: the validator set an operator trusts as in force at the snapshot's
/// height, taken out of band from operators it trusts (like a CometBFT light client's trusted validator set). The file is
/// <c>{"validators": [{"address": "0x…", "power": 1}, …]}</c>, the shape of genesis <c>validators</c>.
/// </summary>
public static class TrustedValidators
{
    /// <summary>The set in <paramref name="path"/>: each address once, each power 1 or more; a <see cref="NodeSetupException"/> naming what is wrong.</summary>
    public static Dictionary<Address, ulong> Read(string path)
    {
        if (!File.Exists(path)) throw new NodeSetupException($"trusted validator set {path} does not exist");
        JsonElement list;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("validators", out var found) || found.ValueKind != JsonValueKind.Array)
                throw new NodeSetupException($"{path}: expected {{\"validators\": [{{\"address\": \"0x…\", \"power\": 1}}, …]}}");
            list = found.Clone();
        }
        catch (JsonException e) { throw new NodeSetupException($"{path}: not JSON ({e.Message})"); }

        var set = new Dictionary<Address, ulong>();
        int index = 0;
        foreach (var entry in list.EnumerateArray())
        {
            string where = $"{path}: validators[{index++}]";
            if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("address", out var address) || address.ValueKind != JsonValueKind.String)
                throw new NodeSetupException($"{where} has no \"address\" string");
            if (!Address.TryParse(address.GetString(), out var parsed, out var why))
                throw new NodeSetupException($"{where}: address '{address.GetString()}': {why}");
            if (!entry.TryGetProperty("power", out var power) || !power.TryGetUInt64(out var value) || value == 0)
                throw new NodeSetupException($"{where}: power must be a whole number from 1 to {ulong.MaxValue}, not {(entry.TryGetProperty("power", out var raw) ? raw.GetRawText() : "missing")}");
            if (!set.TryAdd(parsed, value)) throw new NodeSetupException($"{where}: {parsed} is listed twice");
        }
        return set.Count > 0 ? set : throw new NodeSetupException($"{path}: the trusted validator set is empty");
    }
}
