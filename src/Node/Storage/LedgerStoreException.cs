namespace P2PEnergy.Node.Storage;

/// <summary>
/// A store operation was refused or the file cannot be used; nothing was written. <see cref="Error"/> is the stable
/// reason, the message names the expected and actual values.
/// </summary>
public sealed class LedgerStoreException : Exception
{
    public LedgerStoreException(LedgerStoreError error, string message, Exception? inner = null)
        : base(message, inner) => Error = error;

    /// <summary>Why the operation was refused.</summary>
    public LedgerStoreError Error { get; }
}
