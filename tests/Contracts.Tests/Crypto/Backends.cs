using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Contracts.Tests.Crypto;

/// <summary>Theory data: every secp256k1 backend loadable here (native only when libsecp256k1.so.1 loads).</summary>
public static class Backends
{
    public static readonly NativeSecp256k1? Native;
    public static readonly string NativeMissingReason;

    static Backends() => Native = Secp256k1.TryNative(out NativeMissingReason);

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string> { "managed" };
        if (Native is not null) data.Add("native");
        return data;
    }

    public static ISecp256k1 Get(string name) => name switch
    {
        "managed" => new ManagedSecp256k1(),
        "native" => Native ?? throw new InvalidOperationException(NativeMissingReason),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };
}

/// <summary>A fact that needs libsecp256k1; skipped with the reason (never silently passed) when it is missing.</summary>
public sealed class NativeSecp256k1FactAttribute : FactAttribute
{
    public NativeSecp256k1FactAttribute()
    {
        if (Backends.Native is null) Skip = "native secp256k1 backend unavailable: " + Backends.NativeMissingReason;
    }
}
