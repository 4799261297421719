using P2PEnergy.Node.Consensus;
using P2PEnergy.Node.Hosting;
using P2PEnergy.Node.Hosting.Configuration;

namespace P2PEnergy.Node.Tests.Hosting;

/// <summary>The defaults and the thread priority helper (ranges and sources: NodeConfigurationTests).</summary>
public sealed class NodeOptionsTests
{
    [Fact]
    public void Defaults_AreValid_AndRaiseTheConsensusThread()
    {
        var options = new NodeOptions { DataDir = "/tmp/x" };
        options.Validate();
        Assert.Equal(-10, options.ConsensusNice);
    }

    [Fact]
    public void TestByzantine_IsRefused_UnlessTheEnvironmentAsksForTheSameBehaviour()
    {
        // The variable is read only when the setting is non-empty, so setting it here affects no other test.
        var saved = Environment.GetEnvironmentVariable(ConsensusOptions.TestByzantineVariable);
        try
        {
            Environment.SetEnvironmentVariable(ConsensusOptions.TestByzantineVariable, null);
            var byzantine = new ConsensusOptions { TestByzantine = "equivocate" };
            var refused = Assert.Throws<NodeSettingException>(byzantine.Validate);
            Assert.Contains("Node:Consensus:TestByzantine", refused.Message);
            Assert.Contains("P2PE_TEST_BYZANTINE=equivocate", refused.Message);
            Environment.SetEnvironmentVariable(ConsensusOptions.TestByzantineVariable, "something-else");
            Assert.Throws<NodeSettingException>(byzantine.Validate);
            Assert.Throws<NodeSettingException>(new ConsensusOptions { TestByzantine = "crash" }.Validate);

            Environment.SetEnvironmentVariable(ConsensusOptions.TestByzantineVariable, "equivocate");
            byzantine.Validate();
            Assert.True(byzantine.ToDriverOptions(7, 1000).Equivocate);
            // An honest node never equivocates, whatever the environment says.
            new ConsensusOptions().Validate();
            Assert.False(new ConsensusOptions().ToDriverOptions(7, 1000).Equivocate);
        }
        finally { Environment.SetEnvironmentVariable(ConsensusOptions.TestByzantineVariable, saved); }
    }

    [Fact]
    public void OsThreadPriority_OnLinux_SetsTheCallingThreadOnly()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => OsThreadPriority.TrySetForCurrentThread(20));
        if (!OperatingSystem.IsLinux()) return; // nice values are a Linux feature; elsewhere the helper only explains why not
        // Raising one's own nice value (lowering priority) needs no privilege; a fresh thread keeps the others untouched.
        string? result = "not run";
        int niceSeen = int.MinValue;
        var thread = new Thread(() =>
        {
            result = OsThreadPriority.TrySetForCurrentThread(5);
            niceSeen = ReadNice($"/proc/self/task/{Gettid()}/stat");
        });
        thread.Start();
        thread.Join();
        Assert.Null(result);
        Assert.Equal(5, niceSeen);
        Assert.NotEqual(5, ReadNice("/proc/thread-self/stat"));
    }

    // Field 19 of /proc/<pid>/task/<tid>/stat is the nice value; fields after the parenthesised name start at 3.
    private static int ReadNice(string path)
    {
        var stat = File.ReadAllText(path);
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16], System.Globalization.CultureInfo.InvariantCulture);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "gettid")]
    private static extern int Gettid();
}
