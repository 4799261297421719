using System.Text.Json;
using System.Text.Json.Nodes;
using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Node.Hosting;

/// <summary>
/// The node's own key (D/node-key.json), apart from the validator key: it identifies the node to its peers (issue 15
/// authenticates peer connections with it) and signs nothing on the ledger, so it holds no voting power and needs no
/// password — like CometBFT's node_key.json it is a plain file only its owner may read (mode 0600). Rotating it changes
/// only how peers know the node; rotating the validator key is a SetValidatorSet change (docs/operator.md).
/// </summary>
public static class NodeKey
{
    /// <summary>Writes a fresh key to <paramref name="path"/> (which must not exist) and returns its address.</summary>
    public static Address Generate(string path)
    {
        var key = PrivateKey.Generate();
        var json = new JsonObject { ["address"] = key.Address.ToString(), ["privateKey"] = "0x" + Convert.ToHexStringLower(key.Bytes) };
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var file = new StreamWriter(path, options)) file.Write(json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return key.Address;
    }

    /// <summary>The key in <paramref name="path"/>; a missing or malformed file is a setup error naming it.</summary>
    public static PrivateKey Read(string path)
    {
        if (!File.Exists(path)) throw new NodeSetupException($"{path} is missing: p2pe-node init writes it");
        try
        {
            var json = JsonNode.Parse(File.ReadAllText(path))!;
            var key = PrivateKey.Parse((string)json["privateKey"]!);
            return (string?)json["address"] == key.Address.ToString() ? key : throw new NodeSetupException($"{path}: the address does not match the private key");
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or NullReferenceException or ArgumentException)
        {
            throw new NodeSetupException($"{path} is not a node key file: {e.Message}");
        }
    }
}
