using System.CommandLine;
using System.Text.Json.Nodes;
using P2PEnergy.Contracts.Crypto;

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

    public WalletEnvironment Env { get; } = env;

    /// <summary>Runs a command body; the body prints its result and returns normally, or throws.</summary>
    public int Run(ParseResult parse, Action<bool> body)
    {
        bool json = parse.GetValue(Json);
        try
        {
            body(json);
            return (int)ExitCode.Ok;
        }
        catch (WalletException e) { return Fail(json, e.ExitCode, e.Reason, e.Message); }
        catch (KeystoreException e)
        {
            var exit = e.Failure == KeystoreFailure.WrongPassword ? ExitCode.WrongPassword : ExitCode.BadKeystore;
            return Fail(json, exit, e.Code, e.Message);
        }
        catch (Exception e) { return Fail(json, ExitCode.Internal, "INTERNAL", $"{e.GetType().Name}: {e.Message.Split('\n')[0]}"); }
    }

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
