using System.CommandLine;
using P2PEnergy.Wallet.Cli;
using P2PEnergy.Wallet.Device;
using P2PEnergy.Wallet.Failures;

namespace P2PEnergy.Wallet.Tests.Device;

/// <summary>
/// <c>device run</c> keeps working when the root gains a global (recursive) <c>--node</c>, as the other command groups
/// add one: the nearer, device-level option must win rather than the parse failing on a duplicate name.
/// </summary>
public class DeviceCommandShapeTests
{
    [Fact]
    public void DeviceNode_ParsesBesideARecursiveRootNode()
    {
        var error = new StringWriter();
        var env = new WalletEnvironment { GetVariable = _ => null, Out = TextWriter.Null, Error = error };
        var root = new RootCommand("test");
        var global = new Option<string>("--node") { Recursive = true };
        root.Options.Add(global);
        root.Subcommands.Add(DeviceCommands.Create(new CliContext(env)));
        var parse = root.Parse(["device", "run", "--meter", "M", "--key", "k", "--driver", "load", "--node", "http://127.0.0.1:9"]);
        Assert.Empty(parse.Errors);
        Assert.Equal("http://127.0.0.1:9", parse.GetValue<string>("--node"));
        // The device command itself sees the value: an unusable address reaches its own check.
        var bad = root.Parse(["device", "run", "--meter", "M", "--key", "k", "--driver", "load", "--node", "ftp://x"]);
        Assert.Equal((int)ExitCode.BadInput, bad.Invoke());
        Assert.Contains("INVALID_NODE", error.ToString());
    }
}
