using P2PEnergy.Contracts.Tests.Crypto;

namespace P2PEnergy.Contracts.Tests.Interop;

/// <summary>
/// A fact that runs a script of tests/interop under Node.js; skipped with the reason (never silently passed) when
/// <c>node</c> is not on PATH or <c>npm install</c> has not been run in tests/interop, and — for a fact built with
/// <c>needsNativeSecp256k1: true</c> — when libsecp256k1 does not load.
/// </summary>
public sealed class InteropFactAttribute : FactAttribute
{
    public InteropFactAttribute(bool needsNativeSecp256k1 = false)
    {
        if (NodeScript.MissingReason() is { } reason) Skip = reason;
        else if (needsNativeSecp256k1 && Backends.Native is null) Skip = "native secp256k1 backend unavailable: " + Backends.NativeMissingReason;
    }
}
