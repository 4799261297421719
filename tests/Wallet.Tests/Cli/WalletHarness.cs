using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Wallet.Cli;

namespace P2PEnergy.Wallet.Tests.Cli;

/// <summary>Runs <c>p2pe</c> in-process against a temp P2PE_HOME, injected variables and captured output; cheap scrypt.</summary>
internal sealed class WalletHarness : IDisposable
{
    public WalletHarness() => System.IO.Directory.CreateDirectory(Home);

    public string Home { get; } = Path.Combine(Path.GetTempPath(), "p2pe-test-" + Guid.NewGuid().ToString("N"));
    public Dictionary<string, string> Variables { get; } = new();
    /// <summary>Answers to interactive prompts, in order; null means stdin is not a terminal.</summary>
    public Queue<string>? PromptAnswers { get; set; }
    public KeystoreKdf Kdf { get; set; } = new ScryptKdf(16, 8, 1);
    /// <summary>The wallet's clock (validity windows, key timestamps); a test moves a manual one instead of sleeping.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    public string KeystoreDirectory => Path.Combine(Home, "keystore");

    public (int Exit, string Out, string Error) Run(params string[] args) => RunWithTerminal(null, args);

    /// <summary>Runs with interactive yes/no answers, as on a terminal (null: stdin is not a terminal).</summary>
    public (int Exit, string Out, string Error) RunWithTerminal(Queue<bool>? confirmations, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var answers = PromptAnswers;
        var env = new WalletEnvironment
        {
            GetVariable = name => name == WalletEnvironment.HomeVariable ? Home : Variables.GetValueOrDefault(name),
            Out = output,
            Error = error,
            Kdf = Kdf,
            Clock = Clock,
            PromptSecret = answers is null ? null : _ => answers.Dequeue(),
            Confirm = confirmations is null ? null : _ => confirmations.Dequeue(),
        };
        int exit = WalletCli.RunAsync(args, env).GetAwaiter().GetResult();
        return (exit, output.ToString().TrimEnd(), error.ToString().TrimEnd());
    }

    /// <summary>Writes a file under the temp home and returns its path.</summary>
    public string WriteFile(string name, string content)
    {
        var path = Path.Combine(Home, name);
        File.WriteAllText(path, content);
        return path;
    }

    public static string Vector(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Vectors", name));

    public void Dispose()
    {
        if (System.IO.Directory.Exists(Home)) System.IO.Directory.Delete(Home, recursive: true);
    }
}
