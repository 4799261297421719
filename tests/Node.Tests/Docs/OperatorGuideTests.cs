using System.Text.RegularExpressions;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Docs;

/// <summary>
/// docs/operator.md: "every command is run by a test or by the devnet". Each shell block names, in its first line
/// (<c># run by: TestA, TestB</c>), the test classes that run its commands; every subcommand and option of each command
/// in the block must appear, as the start of a string literal, in one of those classes' source (all of one command in the
/// same class), so a command the tests do not run — or a renamed flag — fails here. docs/node.md's network procedure
/// (issue 15) is held to the same rule: its blocks that say who runs them are checked alike.
/// </summary>
public sealed partial class OperatorGuideTests
{
    [GeneratedRegex(@"```sh\n(?<body>.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();

    private static readonly string Root = RepositoryRoot.Path!;

    private static string SourceOf(string testClass)
    {
        var files = Directory.EnumerateFiles(Path.Combine(Root, "tests"), testClass + ".cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)).ToList();
        Assert.True(files.Count == 1, $"a docs page names {testClass}, which is not one test file (found {files.Count})");
        return File.ReadAllText(files[0]);
    }

    /// <summary>The words of a command that a test must use: subcommands and options, not the program, paths or values.</summary>
    private static IEnumerable<string> Words(string command)
    {
        var tokens = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        foreach (var token in tokens.Skip(1))
        {
            if (token.StartsWith('-')) yield return token; // options as written (-p:PublishProfile=linux-x64 included)
            else if (Regex.IsMatch(token, "^[a-z][a-z-]*$")) yield return token;
        }
    }

    /// <summary>docs/operator.md: every block says who runs it. docs/node.md: its reference block lists syntax, the blocks of its network procedure say who runs them.</summary>
    [Theory]
    [InlineData("operator.md", true, 8)]
    [InlineData("node.md", false, 2)]
    public void EveryCommand_IsRunByTheTestsItsBlockNames(string page, bool everyBlock, int minimum)
    {
        var text = File.ReadAllText(Path.Combine(Root, "docs", page)).ReplaceLineEndings("\n");
        var blocks = ShellBlock().Matches(text).Where(b => everyBlock || b.Groups["body"].Value.StartsWith("# run by: ", StringComparison.Ordinal)).ToList();
        Assert.True(blocks.Count >= minimum, $"docs/{page} has {blocks.Count} shell blocks to check");
        foreach (Match block in blocks)
        {
            var lines = block.Groups["body"].Value.Split('\n');
            Assert.True(lines[0].StartsWith("# run by: ", StringComparison.Ordinal), $"a shell block in docs/{page} does not say which test runs it:\n{block.Value}");
            var sources = lines[0]["# run by: ".Length..].Split(',', StringSplitOptions.TrimEntries).Select(SourceOf).ToList();
            foreach (var command in lines.Skip(1).Where(l => l.Length > 0 && !l.StartsWith('#')))
            {
                var words = Words(command).ToList();
                // One named test must pass the whole command: each of its words, in one source.
                Assert.True(sources.Any(source => words.All(word => source.Contains($"\"{word}", StringComparison.Ordinal))),
                    $"no one of {lines[0]["# run by: ".Length..]} passes all of `{command}`; missing per test: "
                    + string.Join("; ", sources.Select(source => string.Join(' ', words.Where(word => !source.Contains($"\"{word}", StringComparison.Ordinal))))));
            }
        }
    }

    [Fact]
    public void TheCheck_FindsACommandNoTestRuns()
    {
        // The negative control: a flag no test passes is caught.
        var source = SourceOf("PublishedNodeTests");
        Assert.Contains("--compress", Words("p2pe-node backup --data-dir D --compress"));
        Assert.DoesNotContain("\"--compress", source);
        Assert.Equal(["backup", "--data-dir", "--to"], Words("p2pe-node backup --data-dir /var/lib/x --to /tmp/b.tar"));
    }
}
