using Grpc.Core;
using P2PEnergy.Contracts.Api;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;
using P2PEnergy.Node.Ledger.State;

namespace P2PEnergy.Node.Api;

/// <summary>
/// A device agent proves it holds a meter's registered device key: a DeviceAuth (EIP-712, bound to this chain by
/// the domain) signed by that key and issued within <see cref="MaxSkewSeconds"/> of the node's clock, so a captured
/// request cannot be replayed later. Anything else is UNAUTHENTICATED, with a message saying which check failed.
/// </summary>
public static class DeviceAuthentication
{
    /// <summary>How far issuedAt may lie from the node's clock, either way.</summary>
    public const ulong MaxSkewSeconds = 300;

    /// <summary>The meter the request authenticates for; throws <see cref="RpcException"/> otherwise.</summary>
    public static MeterState Verify(IStateReader state, ulong chainId, StreamDispatchRequest request, ulong nowSeconds)
    {
        var auth = request.Auth ?? throw Refusal.Of(ApiReasons.AuthRequired, "auth is required");
        if (request.Signature.Length != 65) throw Refusal.Of(ApiReasons.BadSignature, $"signature must be 65 bytes (r ‖ s ‖ v), got {request.Signature.Length}");
        var meter = state.Get(StateKeys.Meter(auth.Meter)) is { } bytes ? MeterState.Parser.ParseFrom(bytes.AsSpan())
            : throw Refusal.Of(ApiReasons.UnknownMeter, $"meter '{auth.Meter}' is not registered");
        ulong skew = auth.IssuedAt > nowSeconds ? auth.IssuedAt - nowSeconds : nowSeconds - auth.IssuedAt;
        if (skew > MaxSkewSeconds)
            throw Refusal.Of(ApiReasons.ClockSkew, $"auth issuedAt {auth.IssuedAt} is {skew} s from the node's clock {nowSeconds}; at most {MaxSkewSeconds} s is accepted");
        Address signer;
        try { signer = Signer.Recover(LedgerTypedData.Digest(auth, chainId), Signature.FromBytes(request.Signature.Span)); }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            throw Refusal.Of(ApiReasons.BadSignature, $"signature does not recover: {e.Message}");
        }
        var device = Address.FromBytes(meter.Device.Span);
        if (signer != device)
            throw Refusal.Of(ApiReasons.NotDeviceKey, $"auth for meter {auth.Meter} was signed by {signer}, not its registered device key {device}");
        return meter;
    }
}
