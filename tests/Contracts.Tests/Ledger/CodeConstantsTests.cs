using System.Reflection;
using System.Text.RegularExpressions;
using Google.Protobuf.Reflection;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Contracts.Tests.Ledger;

/// <summary>
/// Reason codes and roles are defined once, in Protos/codes.proto (issue 17): the generated C# constants are exactly
/// the proto's value names, and neither the node nor the wallet spells one as a string literal.
/// </summary>
public sealed partial class CodeConstantsTests
{
    private static readonly EnumDescriptor ReasonCodeEnum = CodesReflection.Descriptor.FindTypeByName<EnumDescriptor>("ReasonCode");
    private static readonly EnumDescriptor RoleEnum = CodesReflection.Descriptor.FindTypeByName<EnumDescriptor>("Role");

    private static Dictionary<string, string> Constants(Type type)
        => type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).ToDictionary(f => f.Name, f => (string)f.GetRawConstantValue()!);

    private static List<string> ProtoNames(EnumDescriptor descriptor)
        => descriptor.Values.Select(v => v.Name).Where(n => !n.EndsWith("_UNSPECIFIED", StringComparison.Ordinal)).ToList();

    [Fact]
    public void ReasonCodes_AreTheProtoEnumsValueNames_OneConstantEach_NamedAsProtocNamesTheEnumValue()
    {
        var constants = Constants(typeof(ReasonCodes));
        Assert.Equal(ProtoNames(ReasonCodeEnum).Order(StringComparer.Ordinal), constants.Values.Order(StringComparer.Ordinal));
        // Each constant carries the C# name protoc gave the same enum value, so ReasonCodes.X and ReasonCode.X agree.
        foreach (var (name, value) in constants)
            Assert.Equal(value, ReasonCodeEnum.FindValueByNumber((int)Enum.Parse<ReasonCode>(name)).Name);
        Assert.Equal("OK", ReasonCodes.Ok);
        Assert.Equal("INSUFFICIENT_FUNDS", ReasonCodes.InsufficientFunds);
    }

    [Fact]
    public void Roles_AreTheProtoEnumsValueNames_TheStringsOnTheWire()
    {
        var constants = Constants(typeof(Roles));
        Assert.Equal(ProtoNames(RoleEnum).Order(StringComparer.Ordinal), constants.Values.Order(StringComparer.Ordinal));
        foreach (var (name, value) in constants) Assert.Equal(name, value);
        Assert.Equal(["Consumer", "Producer", "Prosumer", "Aggregator"], Roles.ParticipantRoles);
        Assert.True(Roles.IsParticipantRole("Aggregator"));
        Assert.False(Roles.IsParticipantRole("MarketOperator"));
        Assert.False(Roles.IsParticipantRole(null));
    }

    [Fact]
    public void NodeAndWalletSources_SpellNoReasonCodeOrRoleAsALiteral()
    {
        var names = Constants(typeof(ReasonCodes)).Values.Concat(Constants(typeof(Roles)).Values).ToHashSet(StringComparer.Ordinal);
        var found = new List<string>();
        foreach (var project in new[] { "Node", "Wallet" })
        {
            foreach (var file in Directory.EnumerateFiles(RepoRoot.Combine("src", project), "*.cs", SearchOption.AllDirectories))
            {
                if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)) continue;
                var lines = File.ReadAllLines(file);
                for (int i = 0; i < lines.Length; i++)
                    foreach (Match literal in Literal().Matches(lines[i]))
                        if (names.Contains(literal.Groups[1].Value)) found.Add($"{Path.GetRelativePath(RepoRoot.FullPath, file)}:{i + 1}: \"{literal.Groups[1].Value}\"");
            }
        }
        Assert.True(found.Count == 0, "use ReasonCodes / Roles (P2PEnergy.Contracts.Ledger) instead of literals:\n" + string.Join('\n', found));
    }

    [GeneratedRegex("\"([A-Za-z_]+)\"")]
    private static partial Regex Literal();
}
