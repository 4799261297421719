namespace P2PEnergy.Node.Hosting;

/// <summary>The exit codes of <c>p2pe-node</c>, in one place (docs/node.md lists them); scripts and supervisors match on them.</summary>
public static class NodeExitCode
{
    /// <summary>Done, or stopped on request (SIGTERM, Ctrl+C).</summary>
    public const int Ok = 0;
    /// <summary>A setup error: a missing or bad file, a wrong password, bad options. One line on stderr.</summary>
    public const int SetupError = 1;
    /// <summary><c>verify</c> found a block whose replay does not reproduce its app hash, or a final state that differs.</summary>
    public const int VerifyMismatch = 2;
    /// <summary>Another process holds the data directory's lock (the message names the directory and its PID).</summary>
    public const int DataDirectoryInUse = 3;
    /// <summary>An endpoint's address (API, gRPC-Web or operations) is taken by another process.</summary>
    public const int AddressInUse = 4;
    /// <summary>A setting is out of range, of the wrong type or unknown; the line names it, its value and what is allowed.</summary>
    public const int BadSetting = 5;
    /// <summary><c>snapshot import</c> or <c>snapshot sync</c> refused what it was given; the line starts with its reason code.</summary>
    public const int SnapshotRejected = 6;
}
