using P2PEnergy.Node.Consensus;
using P2PEnergy.Node.Hosting;

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
