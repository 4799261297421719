using System.Runtime.InteropServices;

namespace P2PEnergy.Contracts.Crypto;

/// <summary>
/// secp256k1 through libsecp256k1.so.1 (Debian <c>libsecp256k1-1</c>, built with the recovery module).
/// One context is created at load and only read afterwards: libsecp256k1 documents every function taking a
/// <c>const secp256k1_context*</c> as safe to call concurrently, so no lock is needed. Callers see spans only.
/// </summary>
public sealed unsafe class NativeSecp256k1 : ISecp256k1
{
    /// <summary>The shared object name we load.</summary>
    public const string LibraryName = "libsecp256k1.so.1";

    // SECP256K1_CONTEXT_SIGN | SECP256K1_CONTEXT_VERIFY: ignored since 0.2.0 (all contexts do everything) but
    // required by older releases a distribution might still ship.
    private const uint ContextSignVerify = 0x0301;
    private const uint EcUncompressed = 0x0002;

    private readonly nint _context;
    private readonly delegate* unmanaged<nint, byte*, byte*, int> _pubkeyCreate;
    private readonly delegate* unmanaged<nint, byte*, nuint*, byte*, uint, int> _pubkeySerialize;
    private readonly delegate* unmanaged<nint, byte*, byte*, nuint, int> _pubkeyParse;
    private readonly delegate* unmanaged<nint, byte*, byte*, byte*, nint, nint, int> _signRecoverable;
    private readonly delegate* unmanaged<nint, byte*, int*, byte*, int> _recoverableSerialize;
    private readonly delegate* unmanaged<nint, byte*, byte*, int, int> _recoverableParse;
    private readonly delegate* unmanaged<nint, byte*, byte*, byte*, int> _recover;
    private readonly delegate* unmanaged<nint, byte*, byte*, int> _signatureParse;
    private readonly delegate* unmanaged<nint, byte*, byte*, byte*, int> _verify;

    private NativeSecp256k1(nint library)
    {
        _pubkeyCreate = (delegate* unmanaged<nint, byte*, byte*, int>)NativeLibrary.GetExport(library, "secp256k1_ec_pubkey_create");
        _pubkeySerialize = (delegate* unmanaged<nint, byte*, nuint*, byte*, uint, int>)NativeLibrary.GetExport(library, "secp256k1_ec_pubkey_serialize");
        _pubkeyParse = (delegate* unmanaged<nint, byte*, byte*, nuint, int>)NativeLibrary.GetExport(library, "secp256k1_ec_pubkey_parse");
        _signRecoverable = (delegate* unmanaged<nint, byte*, byte*, byte*, nint, nint, int>)NativeLibrary.GetExport(library, "secp256k1_ecdsa_sign_recoverable");
        _recoverableSerialize = (delegate* unmanaged<nint, byte*, int*, byte*, int>)NativeLibrary.GetExport(library, "secp256k1_ecdsa_recoverable_signature_serialize_compact");
        _recoverableParse = (delegate* unmanaged<nint, byte*, byte*, int, int>)NativeLibrary.GetExport(library, "secp256k1_ecdsa_recoverable_signature_parse_compact");
        _recover = (delegate* unmanaged<nint, byte*, byte*, byte*, int>)NativeLibrary.GetExport(library, "secp256k1_ecdsa_recover");
        _signatureParse = (delegate* unmanaged<nint, byte*, byte*, int>)NativeLibrary.GetExport(library, "secp256k1_ecdsa_signature_parse_compact");
        _verify = (delegate* unmanaged<nint, byte*, byte*, byte*, int>)NativeLibrary.GetExport(library, "secp256k1_ecdsa_verify");
        var create = (delegate* unmanaged<uint, nint>)NativeLibrary.GetExport(library, "secp256k1_context_create");
        _context = create(ContextSignVerify);
        if (_context == 0) throw new InvalidOperationException("secp256k1_context_create returned NULL");
    }

    /// <summary>Loads the library; false (with the reason) when it is absent or lacks the recovery module.</summary>
    public static bool TryLoad(out NativeSecp256k1? backend, out string reason)
    {
        backend = null;
        if (!NativeLibrary.TryLoad(LibraryName, out var library))
        {
            reason = $"{LibraryName} not found (install Debian package libsecp256k1-1)";
            return false;
        }
        try
        {
            backend = new NativeSecp256k1(library);
            reason = "";
            return true;
        }
        catch (EntryPointNotFoundException e)
        {
            reason = $"{LibraryName} lacks a required export ({e.Message}); it must be built with the recovery module";
            return false;
        }
    }

    public string Name => "native";

    public Signature Sign(ReadOnlySpan<byte> digest32, ReadOnlySpan<byte> privateKey32)
    {
        CheckLength(digest32, 32, "digest");
        CheckLength(privateKey32, 32, "private key");
        byte* recoverable = stackalloc byte[65];
        byte* compact = stackalloc byte[64];
        int recoveryId;
        fixed (byte* msg = digest32)
        fixed (byte* key = privateKey32)
        {
            // NULL nonce function = secp256k1_nonce_function_rfc6979; output s is always low (libsecp256k1 normalises).
            if (_signRecoverable(_context, recoverable, msg, key, 0, 0) != 1)
                throw new ArgumentException("private key is outside [1, n-1]", nameof(privateKey32));
        }
        _recoverableSerialize(_context, compact, &recoveryId, recoverable);
        var span = new ReadOnlySpan<byte>(compact, 64);
        return Signature.FromParts(span[..32], span[32..], recoveryId);
    }

    public byte[] RecoverPublicKey(ReadOnlySpan<byte> digest32, Signature signature)
    {
        var publicKey = new byte[64];
        RecoverPublicKey(digest32, signature, publicKey);
        return publicKey;
    }

    public void RecoverPublicKey(ReadOnlySpan<byte> digest32, Signature signature, Span<byte> publicKey64)
    {
        CheckLength(digest32, 32, "digest");
        CheckLength(publicKey64, 64, "public key output");
        byte* recoverable = stackalloc byte[65];
        byte* pubkey = stackalloc byte[64];
        fixed (byte* sig = signature.Bytes)
        fixed (byte* msg = digest32)
        {
            if (_recoverableParse(_context, recoverable, sig, signature.RecoveryId) != 1)
                throw new SignatureFormatException("signature r or s is not a valid scalar");
            if (_recover(_context, pubkey, recoverable, msg) != 1)
                throw new SignatureFormatException("no public key recovers from this signature and digest");
        }
        Serialize(pubkey, publicKey64);
    }

    public byte[] PublicKey(ReadOnlySpan<byte> privateKey32)
    {
        CheckLength(privateKey32, 32, "private key");
        byte* pubkey = stackalloc byte[64];
        fixed (byte* key = privateKey32)
        {
            if (_pubkeyCreate(_context, pubkey, key) != 1)
                throw new ArgumentException("private key is outside [1, n-1]", nameof(privateKey32));
        }
        return Serialize(pubkey);
    }

    public bool Verify(ReadOnlySpan<byte> digest32, Signature signature, ReadOnlySpan<byte> publicKey64)
    {
        CheckLength(digest32, 32, "digest");
        CheckLength(publicKey64, 64, "public key");
        byte* sig = stackalloc byte[64];
        byte* pubkey = stackalloc byte[64];
        byte* encoded = stackalloc byte[65];
        encoded[0] = 0x04;
        publicKey64.CopyTo(new Span<byte>(encoded + 1, 64));
        fixed (byte* compact = signature.Bytes)
        fixed (byte* msg = digest32)
        {
            if (_signatureParse(_context, sig, compact) != 1) return false;
            if (_pubkeyParse(_context, pubkey, encoded, 65) != 1) return false;
            return _verify(_context, sig, msg, pubkey) == 1;
        }
    }

    private byte[] Serialize(byte* pubkey)
    {
        var publicKey = new byte[64];
        Serialize(pubkey, publicKey);
        return publicKey;
    }

    private void Serialize(byte* pubkey, Span<byte> publicKey64)
    {
        byte* output = stackalloc byte[65];
        nuint length = 65;
        _pubkeySerialize(_context, output, &length, pubkey, EcUncompressed);
        new ReadOnlySpan<byte>(output + 1, 64).CopyTo(publicKey64);
    }

    private static void CheckLength(ReadOnlySpan<byte> value, int expected, string what)
    {
        if (value.Length != expected) throw new ArgumentException($"{what} must be {expected} bytes, got {value.Length}");
    }
}
