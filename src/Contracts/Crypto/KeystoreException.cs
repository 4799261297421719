namespace P2PEnergy.Contracts.Crypto;

/// <summary>Why a keystore could not be read or written; <see cref="KeystoreException.Code"/> gives the stable text form.</summary>
public enum KeystoreFailure
{
    /// <summary>The MAC does not match: the password is wrong (or the ciphertext was altered).</summary>
    WrongPassword,
    /// <summary>The JSON is not a keystore, or a field is missing, mistyped or of the wrong length.</summary>
    MalformedKeystore,
    /// <summary>The "version" is not 3.</summary>
    UnsupportedVersion,
    /// <summary>The "cipher" is not aes-128-ctr.</summary>
    UnsupportedCipher,
    /// <summary>The "kdf" is neither scrypt nor pbkdf2 (or pbkdf2 with a prf other than hmac-sha256).</summary>
    UnsupportedKdf,
    /// <summary>The kdf parameters are out of range (e.g. scrypt N not a power of two, or beyond the memory cap).</summary>
    UnsupportedKdfParams,
    /// <summary>The decrypted key does not belong to the expected address.</summary>
    AddressMismatch,
}

/// <summary>A keystore that could not be decrypted or was refused; the message is one line and names the offending value.</summary>
public sealed class KeystoreException(KeystoreFailure failure, string message) : Exception(message)
{
    /// <summary>What went wrong.</summary>
    public KeystoreFailure Failure { get; } = failure;

    /// <summary>The stable reason code, e.g. <c>WRONG_PASSWORD</c>, <c>UNSUPPORTED_KDF</c>, <c>MALFORMED_KEYSTORE</c>.</summary>
    public string Code => CodeOf(Failure);

    /// <summary>The stable reason code of a failure.</summary>
    public static string CodeOf(KeystoreFailure failure) => failure switch
    {
        KeystoreFailure.WrongPassword => "WRONG_PASSWORD",
        KeystoreFailure.MalformedKeystore => "MALFORMED_KEYSTORE",
        KeystoreFailure.UnsupportedVersion => "UNSUPPORTED_VERSION",
        KeystoreFailure.UnsupportedCipher => "UNSUPPORTED_CIPHER",
        KeystoreFailure.UnsupportedKdf => "UNSUPPORTED_KDF",
        KeystoreFailure.UnsupportedKdfParams => "UNSUPPORTED_KDF_PARAMS",
        KeystoreFailure.AddressMismatch => "ADDRESS_MISMATCH",
        _ => throw new ArgumentOutOfRangeException(nameof(failure), failure, "unknown keystore failure"),
    };
}
