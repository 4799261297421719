using System.Text.RegularExpressions;
using Google.Protobuf.Reflection;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;
using FieldType = Google.Protobuf.Reflection.FieldType;

namespace P2PEnergy.Contracts.Tests.Ledger;

/// <summary>docs/typed-data.md "Size limits": every free-text member of a signed struct has a small limit (issue 12 item 7).</summary>
public sealed partial class TextLimitsTests
{
    [GeneratedRegex(@"^\| (?<fields>`[^|]+`) \| (?<limit>\d+) \|$", RegexOptions.Multiline)]
    private static partial Regex LimitRow();

    private static IEnumerable<FieldDescriptor> StringFields(MessageDescriptor message)
        => message.Fields.InFieldNumberOrder().SelectMany(f => f.FieldType switch
        {
            FieldType.String => [f],
            FieldType.Message => StringFields(f.MessageType),
            _ => [],
        });

    [Fact]
    public void EveryStringMemberOfEverySignedStruct_IsListed()
    {
        var unlisted = LedgerTypedData.SignedMessages.SelectMany(StringFields).Where(f => !TextLimits.ByField.ContainsKey(f.JsonName)).Select(f => f.FullName);
        Assert.Empty(unlisted);
    }

    [Fact]
    public void TheDocsTable_StatesTheCodesLimits()
    {
        var text = File.ReadAllText(RepoRoot.Combine("docs", "typed-data.md")).ReplaceLineEndings("\n");
        var section = text[text.IndexOf("### Size limits", StringComparison.Ordinal)..];
        var documented = LimitRow().Matches(section)
            .SelectMany(m => m.Groups["fields"].Value.Split(", ").Select(f => (Field: f.Trim('`'), Limit: int.Parse(m.Groups["limit"].Value))))
            .ToDictionary(e => e.Field, e => e.Limit);
        Assert.Equal(TextLimits.ByField.OrderBy(e => e.Key), documented.OrderBy(e => e.Key));
    }

    [Fact]
    public void FirstOver_NamesTheNestedFieldAndCountsUtf8Bytes()
    {
        var baseline = new SetBaseline { Entries = { new BaselineEntry { Element = "T1" }, new BaselineEntry { Element = new string('é', 33) } } };
        Assert.Equal(("entries[1].element", 66, 64), TextLimits.FirstOver(baseline));
        Assert.Null(TextLimits.FirstOver(new Deposit { Reference = new string('x', 256) }));
        Assert.Equal(("reference", 257, 256), TextLimits.FirstOver(new Deposit { Reference = new string('x', 257) }));
    }
}
