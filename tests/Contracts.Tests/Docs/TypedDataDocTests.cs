using System.Text.RegularExpressions;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.Tests.TypedData;
using P2PEnergy.Contracts.TypedData;

namespace P2PEnergy.Contracts.Tests.Docs;

/// <summary>
/// docs/typed-data.md cannot drift from the code: every <c>&lt;!-- generated: KEY --&gt;</c> marker is followed by a
/// fenced block that must equal what the code produces for KEY, and every signed struct has its encodeType block.
/// Run with <c>P2PE_UPDATE_DOCS=1</c> to rewrite the blocks from the code instead of comparing.
/// </summary>
public sealed partial class TypedDataDocTests
{
    /// <summary>The chain id of the doc's example; 31337 is the usual local-devnet id wallets already know.</summary>
    public const ulong ExampleChainId = 31337;

    [GeneratedRegex(@"<!-- generated: (?<key>[^>]+?) -->\n```(?<lang>\w*)\n(?<body>.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex GeneratedBlock();

    [Fact]
    public void EveryGeneratedBlock_MatchesTheCode()
    {
        var path = RepoRoot.Combine("docs", "typed-data.md");
        var text = File.ReadAllText(path).ReplaceLineEndings("\n");
        if (Environment.GetEnvironmentVariable("P2PE_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, GeneratedBlock().Replace(text, m =>
                $"<!-- generated: {m.Groups["key"].Value} -->\n```{m.Groups["lang"].Value}\n{Generate(m.Groups["key"].Value)}\n```"));
            return;
        }
        var blocks = GeneratedBlock().Matches(text);
        Assert.NotEmpty(blocks);
        Assert.All(blocks, m => Assert.Equal(Generate(m.Groups["key"].Value), m.Groups["body"].Value));
    }

    [Fact]
    public void EverySignedStruct_HasItsEncodeTypeBlock()
    {
        var keys = GeneratedBlock().Matches(File.ReadAllText(RepoRoot.Combine("docs", "typed-data.md")).ReplaceLineEndings("\n"))
            .Select(m => m.Groups["key"].Value).ToHashSet();
        Assert.All(LedgerTypedData.SignedMessages, d => Assert.Contains($"encodeType {d.Name}", keys));
        Assert.Contains("example EnergyContract", keys);
    }

    /// <summary>The text of one generated block.</summary>
    private static string Generate(string key)
    {
        var parts = key.Split(' ', 2);
        return parts[0] switch
        {
            "encodeType" => LedgerTypedData.Types(LedgerTypedData.SignedMessages.Single(d => d.Name == parts[1])).EncodeType(parts[1]),
            "example" when parts[1] == nameof(EnergyContract) =>
                LedgerTypedData.ToDocument(LedgerTypedDataTests.Contract(), ExampleChainId).ToJson(indented: true).ReplaceLineEndings("\n"),
            "digest" when parts[1] == nameof(EnergyContract) =>
                LedgerTypedData.Digest(LedgerTypedDataTests.Contract(), ExampleChainId).ToString(),
            _ => throw new InvalidOperationException($"docs/typed-data.md has a generated block with an unknown key '{key}'"),
        };
    }
}
