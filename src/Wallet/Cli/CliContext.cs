using System.CommandLine;
using System.Text.Json.Nodes;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Wallet.Failures;
using P2PEnergy.Wallet.Node;

namespace P2PEnergy.Wallet.Cli;

/// <summary>
/// What every command group shares: the environment, the global --json option, and the one place that turns a
/// failure into a one-line reason and an <see cref="ExitCode"/>.
/// </summary>
internal sealed class CliContext(WalletEnvironment env)
{
    /// <summary>Global: print machine-readable JSON (results on stdout, errors as {"error":{...}} on stderr).</summary>
    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print machine-readable JSON (errors go to stderr as {\"error\":{\"code\",\"message\"}})",
        Recursive = true,
    };

    /// <summary>Global: the node's gRPC URL, overriding the profile in $P2PE_HOME/config.json.</summary>
    public static readonly Option<string> Node = new("--node")
    {
        Description = "Node URL (http://127.0.0.1:PORT); default from `p2pe config set node URL`",
        Recursive = true,
    };

    public WalletEnvironment Env { get; } = env;

    /// <summary>A client of the node this command talks to: --node, else the profile's (NO_NODE when neither).</summary>
    public NodeClient ConnectNode(ParseResult parse) => new(new NodeProfile(Env.Home).NodeUrl(parse.GetValue(Node)));

    /// <summary>Runs an asynchronous command body with the same failure handling as <see cref="Run"/>.</summary>
    public async Task<int> RunAsync(ParseResult parse, Func<bool, Task> body)
    {
        bool json = parse.GetValue(Json);
        try
        {
            await body(json);
            return (int)ExitCode.Ok;
        }
        catch (Exception e) { return Fail(json, e); }
    }

    /// <summary>Runs a command body; the body prints its result and returns normally, or throws.</summary>
    public int Run(ParseResult parse, Action<bool> body)
    {
        bool json = parse.GetValue(Json);
        try
        {
            body(json);
            return (int)ExitCode.Ok;
        }
        catch (Exception e) { return Fail(json, e); }
    }

    private int Fail(bool json, Exception exception) => exception switch
    {
        WalletException e => Fail(json, e.ExitCode, e.Reason, e.Message),
        KeystoreException e => Fail(json, e.Failure == KeystoreFailure.WrongPassword ? ExitCode.WrongPassword : ExitCode.BadKeystore, e.Code, e.Message),
        _ => Fail(json, ExitCode.Internal, "INTERNAL", $"{exception.GetType().Name}: {exception.Message.Split('\n')[0]}"),
    };

    /// <summary>Prints the failure as one line (or one JSON object) on stderr and returns its exit code.</summary>
    public int Fail(bool json, ExitCode exit, string reason, string message)
    {
        message = message.ReplaceLineEndings(" ");
        if (json) Env.Error.WriteLine(new JsonObject { ["error"] = new JsonObject { ["code"] = reason, ["message"] = message } }.ToJsonString());
        else Env.Error.WriteLine($"p2pe: {reason}: {message}");
        return (int)exit;
    }

    /// <summary>Prints a result: the JSON object with --json, else the human line.</summary>
    public void Print(bool json, JsonNode result, string human) => Env.Out.WriteLine(json ? result.ToJsonString() : human);
}
