using System.Text;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.Contracts;
using Nethereum.JsonRpc.Client;
using Nethereum.Hex.HexConvertors.Extensions;

namespace P2PEnergy.Anchor.Evm;

/// <summary>A revert of the anchor contract, decoded: the custom error's name (StaleHeight, InsufficientPower, …) and its arguments.</summary>
public sealed record AnchorRevert(string Error, string Detail)
{
    public override string ToString() => $"{Error}({Detail})";

    /// <summary>The contract's custom error inside a Nethereum exception (eth_call or eth_estimateGas), or null when it carries none.</summary>
    public static AnchorRevert? From(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            string? data = e switch
            {
                SmartContractCustomErrorRevertException custom => custom.ExceptionEncodedData,
                RpcResponseException rpc => RevertData(rpc.RpcError?.Data),
                _ => null,
            };
            if (data is not null && Decode(data) is { } revert) return revert;
        }
        return null;
    }

    /// <summary>Decodes revert data (0x selector ‖ arguments) against the contract's ABI.</summary>
    public static AnchorRevert? Decode(string data)
    {
        if (!data.StartsWith("0x", StringComparison.Ordinal) || data.Length < 10) return null;
        string selector = data[2..10].ToLowerInvariant();
        var error = AnchorArtifact.Abi.Errors.FirstOrDefault(e => e.Sha3Signature.StartsWith(selector, StringComparison.OrdinalIgnoreCase));
        if (error is null) return null;
        var outputs = new ParameterDecoder().DecodeDefaultData(data[10..].HexToByteArray(), error.InputParameters);
        var detail = new StringBuilder();
        foreach (var o in outputs)
        {
            if (detail.Length > 0) detail.Append(", ");
            detail.Append(o.Parameter.Name).Append('=').Append(o.Result is byte[] bytes ? bytes.ToHex(true) : Convert.ToString(o.Result, System.Globalization.CultureInfo.InvariantCulture));
        }
        return new AnchorRevert(error.Name, detail.ToString());
    }

    // Nodes put revert data in error.data as a hex string (Hardhat, geth) or as an object {data: "0x…"} (some others).
    private static string? RevertData(object? data) => data switch
    {
        null => null,
        string s => s,
        Newtonsoft.Json.Linq.JValue v => v.Value as string,
        Newtonsoft.Json.Linq.JObject o => o["data"]?.ToString(),
        _ => data.ToString(),
    };
}
