using System.Reflection;
using Nethereum.ABI.ABIDeserialisation;
using Nethereum.ABI.Model;

namespace P2PEnergy.Anchor.Evm;

/// <summary>
/// The compiled P2PEnergyAnchor (solc 0.8.28, optimizer 200 runs, cancun) as checked in beside its source and embedded in
/// this assembly: the creation bytecode to deploy and the ABI that names its custom errors.
/// </summary>
public static class AnchorArtifact
{
    private static readonly Lazy<ContractABI> Parsed = new(() => new ABIJsonDeserialiser().DeserialiseContract(AbiJson));

    /// <summary>The creation bytecode, 0x-hex.</summary>
    public static string Bytecode { get; } = Read("P2PEnergyAnchor.bin").Trim();

    /// <summary>The ABI as solc wrote it.</summary>
    public static string AbiJson { get; } = Read("P2PEnergyAnchor.abi.json");

    public static ContractABI Abi => Parsed.Value;

    private static string Read(string name)
    {
        using var stream = typeof(AnchorArtifact).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"resource {name} is missing from {typeof(AnchorArtifact).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
