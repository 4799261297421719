using System.Runtime.InteropServices;

namespace P2PEnergy.Node.Consensus;

/// <summary>
/// Sets the calling thread's scheduling priority (its nice value) on Linux. .NET's <see cref="Thread.Priority"/>
/// does not change how Linux schedules a thread, and the consensus thread competes with every RPC worker for the
/// cores: it executes and commits blocks one after another, so each slice it waits for delays every transaction.
/// </summary>
internal static class OsThreadPriority
{
    private const int PrioProcess = 0; // with a thread id, Linux applies it to that thread only

    /// <summary>
    /// Gives the calling thread nice value <paramref name="nice"/> (−20 … 19, lower runs first). Returns null on
    /// success, else why not: another OS, or no permission (a negative value needs CAP_SYS_NICE or root).
    /// </summary>
    public static string? TrySetForCurrentThread(int nice)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nice, -20);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nice, 19);
        if (!OperatingSystem.IsLinux()) return $"thread priorities are set only on Linux, not on {RuntimeInformation.OSDescription}";
        try
        {
            if (setpriority(PrioProcess, gettid(), nice) == 0) return null;
            int errno = Marshal.GetLastPInvokeError();
            return errno == 13 /* EACCES */ || errno == 1 /* EPERM */
                ? $"setting nice {nice} needs CAP_SYS_NICE (errno {errno})"
                : $"setpriority failed with errno {errno}";
        }
        catch (EntryPointNotFoundException e) { return $"the C library lacks {e.Message}"; }
        catch (DllNotFoundException e) { return e.Message; }
    }

    // DllImport rather than LibraryImport: the signatures are blittable, and the generator would need unsafe code.
    [DllImport("libc", SetLastError = true)]
    private static extern int setpriority(int which, int who, int prio);

    [DllImport("libc")]
    private static extern int gettid();
}
