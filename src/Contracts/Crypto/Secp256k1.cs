namespace P2PEnergy.Contracts.Crypto;

/// <summary>
/// Chooses the secp256k1 backend once per process: native when libsecp256k1.so.1 loads, else managed.
/// Environment variable <c>P2PE_SECP256K1=native|managed</c> forces one; forcing native when it cannot load
/// is an error rather than a silent fallback.
/// </summary>
public static class Secp256k1
{
    /// <summary>The environment variable that forces a backend.</summary>
    public const string BackendVariable = "P2PE_SECP256K1";

    private static readonly Lazy<(ISecp256k1 Backend, string Description)> Selected = new(() => Select(Environment.GetEnvironmentVariable(BackendVariable)));

    /// <summary>The backend this process uses.</summary>
    public static ISecp256k1 Default => Selected.Value.Backend;

    /// <summary>One line for the startup log: which backend and why.</summary>
    public static string Description => Selected.Value.Description;

    /// <summary>The native backend, or null with the reason when it cannot load (for tests and benchmarks).</summary>
    public static NativeSecp256k1? TryNative(out string reason)
    {
        NativeSecp256k1.TryLoad(out var native, out reason);
        return native;
    }

    internal static (ISecp256k1, string) Select(string? choice)
    {
        switch (choice?.Trim().ToLowerInvariant())
        {
            case null or "":
                var native = TryNative(out var reason);
                return native is not null
                    ? (native, $"native ({NativeSecp256k1.LibraryName})")
                    : (new ManagedSecp256k1(), $"managed (NBitcoin.Secp256k1): {reason}");
            case "native":
                return (TryNative(out var why) ?? throw new InvalidOperationException($"{BackendVariable}=native but {why}"),
                        $"native ({NativeSecp256k1.LibraryName}), forced by {BackendVariable}");
            case "managed":
                return (new ManagedSecp256k1(), $"managed (NBitcoin.Secp256k1), forced by {BackendVariable}");
            default:
                throw new InvalidOperationException($"{BackendVariable} must be 'native' or 'managed', got '{choice}'");
        }
    }
}
