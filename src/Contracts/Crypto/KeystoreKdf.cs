using System.Security.Cryptography;

namespace P2PEnergy.Contracts.Crypto;

/// <summary>
/// The key-derivation function of a v3 keystore and its cost parameters (the salt belongs to the file, not here).
/// Instances validate themselves on construction, so a held <see cref="KeystoreKdf"/> is always runnable.
/// </summary>
public abstract class KeystoreKdf
{
    /// <summary>Keystores use 32 derived bytes: 16 for AES-128, 16 for the MAC. Longer is legal; the rest is unused.</summary>
    public const int MinDerivedKeyLength = 32;
    /// <summary>A generous bound on dklen so a hostile file cannot ask for megabytes of output.</summary>
    public const int MaxDerivedKeyLength = 1024;

    private protected KeystoreKdf(int dkLen)
    {
        if (dkLen is < MinDerivedKeyLength or > MaxDerivedKeyLength)
            throw new ArgumentOutOfRangeException(nameof(dkLen), dkLen, $"keystore dklen must be in [{MinDerivedKeyLength}, {MaxDerivedKeyLength}], got {dkLen}");
        DkLen = dkLen;
    }

    /// <summary>The "kdf" name in the JSON: "scrypt" or "pbkdf2".</summary>
    public abstract string Name { get; }

    /// <summary>Bytes derived from the password.</summary>
    public int DkLen { get; }

    /// <summary>Derives <see cref="DkLen"/> bytes from the UTF-8 password and the file's salt.</summary>
    public abstract byte[] Derive(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt);
}

/// <summary>scrypt parameters; <see cref="Standard"/> is what geth and ethers write.</summary>
public sealed class ScryptKdf : KeystoreKdf
{
    /// <summary>geth's StandardScryptN/P: N = 2^18, r = 8, p = 1 (256 MiB, about a second).</summary>
    public static ScryptKdf Standard { get; } = new(1 << 18, 8, 1);

    /// <summary>Builds scrypt parameters; throws <see cref="ArgumentException"/> naming a rejected value.</summary>
    public ScryptKdf(int n, int r, int p, int dkLen = 32) : base(dkLen)
    {
        if (!Scrypt.TryValidate(n, r, p, dkLen, out var error)) throw new ArgumentException(error);
        N = n; R = r; P = p;
    }

    public override string Name => "scrypt";
    /// <summary>CPU/memory cost, a power of two.</summary>
    public int N { get; }
    /// <summary>Block size factor.</summary>
    public int R { get; }
    /// <summary>Parallelisation factor.</summary>
    public int P { get; }

    public override byte[] Derive(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt) => Scrypt.DeriveKey(password, salt, N, R, P, DkLen);
}

/// <summary>PBKDF2 with HMAC-SHA256, the only prf go-ethereum reads.</summary>
public sealed class Pbkdf2Kdf : KeystoreKdf
{
    /// <summary>The "prf" value we accept and write.</summary>
    public const string HmacSha256 = "hmac-sha256";
    /// <summary>Iteration cap (geth writes 262144); stops a hostile file from pinning a core for minutes.</summary>
    public const int MaxIterations = 10_000_000;

    /// <summary>Builds PBKDF2 parameters; throws <see cref="ArgumentOutOfRangeException"/> for c outside [1, <see cref="MaxIterations"/>].</summary>
    public Pbkdf2Kdf(int c, int dkLen = 32) : base(dkLen)
    {
        if (c is < 1 or > MaxIterations)
            throw new ArgumentOutOfRangeException(nameof(c), c, $"pbkdf2 iteration count c must be in [1, {MaxIterations}], got {c}");
        C = c;
    }

    public override string Name => "pbkdf2";
    /// <summary>Iteration count.</summary>
    public int C { get; }

    public override byte[] Derive(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt)
        => Rfc2898DeriveBytes.Pbkdf2(password, salt, C, HashAlgorithmName.SHA256, DkLen);
}
