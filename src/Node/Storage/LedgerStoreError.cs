namespace P2PEnergy.Node.Storage;

/// <summary>Stable reason codes for a refused store operation (DESIGN rule 6: errors are data).</summary>
public enum LedgerStoreError
{
    /// <summary>The file is not a SQLite database, or a SQLite database that is not a P2PEnergy ledger store.</summary>
    NotALedgerStore,
    /// <summary>The file is a P2PEnergy store written with a schema version this build does not know.</summary>
    UnknownSchemaVersion,
    /// <summary>InitializeGenesis on a store that already holds a chain, or Commit before genesis.</summary>
    GenesisState,
    /// <summary>The block's height is not the store's height + 1.</summary>
    HeightMismatch,
    /// <summary>The block's previous hash is not the hash of the last committed block.</summary>
    PreviousHashMismatch,
    /// <summary>The block hash passed in is not the hash of the block's header.</summary>
    BlockHashMismatch,
    /// <summary>The header's app hash is missing, not 32 bytes, or not the app hash being committed.</summary>
    AppHashMismatch,
    /// <summary>The results do not line up with the block's transactions.</summary>
    ResultsMismatch,
    /// <summary>The state changes are not in strictly ascending ordinal key order.</summary>
    ChangesNotSorted,
}
