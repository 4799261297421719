namespace P2PEnergy.Contracts.Tests;

/// <summary>
/// Issue 17: no folder in a project imports one that imports it back — the anchor tool, the contracts, the node and the wallet.
/// </summary>
public sealed class FolderImportTests
{
    [Theory]
    [InlineData("Anchor")]
    [InlineData("Contracts")]
    [InlineData("Node")]
    [InlineData("Wallet")]
    public void NoFolder_ImportsOneThatImportsItBack(string project)
        => Assert.Empty(Explained(project, FolderImports.Loops(FolderImports.Of(RepoRoot.Combine("src", project)))));

    [Fact]
    public void ALoop_IsFound_ThroughAUsing_AQualifiedName_OrATypeOfAnEnclosingNamespace()
    {
        var root = Directory.CreateTempSubdirectory("folder-imports-").FullName;
        try
        {
            void Write(string path, string text)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, path))!);
                File.WriteAllText(Path.Combine(root, path), text);
            }
            Write("A/Alpha.cs", "using P.B;\nnamespace P.A;\nclass Alpha { Beta b; }");
            Write("B/Beta.cs", "namespace P.B;\nclass Beta { object x = A.Alpha.Make(); }");
            Write("C/Gamma.cs", "namespace P.C;\nclass Gamma { }\n");
            Write("C/D/Delta.cs", "namespace P.C.D;\nclass Delta { Gamma g; }");
            Write("C/Uses.cs", "using P.C.D;\nnamespace P.C;\nclass Uses { }");
            Write("E/Epsilon.cs", "namespace P.E;\n// using P.A; A.Alpha in a comment\nclass Epsilon { string s = \"A.Alpha\"; }");
            var imports = FolderImports.Of(root);
            Assert.Equal(["P.A ↔ P.B", "P.C ↔ P.C.D"], FolderImports.Loops(imports));
            Assert.Contains("qualified A", imports["P.B"]["P.A"].Single());
            Assert.Contains("names Gamma", imports["P.C.D"]["P.C"].Single());
            Assert.False(imports.ContainsKey("P.E"));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    private static IEnumerable<string> Explained(string project, List<string> loops)
    {
        var imports = FolderImports.Of(RepoRoot.Combine("src", project));
        return loops.Select(loop =>
        {
            var (a, b) = (loop.Split(" ↔ ")[0], loop.Split(" ↔ ")[1]);
            return $"{loop}: {string.Join(", ", imports[a][b].Take(3))} | {string.Join(", ", imports[b][a].Take(3))}";
        });
    }
}
