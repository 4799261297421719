using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Storage;

namespace P2PEnergy.Node.Tests.Storage;

/// <summary>Builds well-formed next blocks for a store, so each test only varies what it is about.</summary>
internal static class TestChain
{
    public static readonly Hash32 Genesis = Keccak256.Hash("p2penergy test genesis"u8);

    /// <summary>Everything <see cref="ILedgerStore.Commit"/> takes, for the block after the store's tip.</summary>
    public sealed record NextBlock(Block Block, Hash32 Hash, IReadOnlyList<TransactionResult> Results, IReadOnlyList<StateChange> Changes, Hash32 AppHash)
    {
        public void CommitTo(ILedgerStore store) => store.Commit(Block, Hash, Results, Changes, AppHash);
    }

    public static void InitializeGenesis(ILedgerStore store, params StateChange[] changes) =>
        store.InitializeGenesis(Genesis, changes, AppHash.Next(Hash32.Zero, changes));

    public static NextBlock Next(ILedgerStore store, IReadOnlyList<StateChange> changes, params byte[][] transactions)
    {
        var appHash = AppHash.Next(store.AppHash, changes);
        var header = new BlockHeader
        {
            ChainId = 7,
            Height = store.Height + 1,
            TimeMs = 1_700_000_000_000 + (long)store.Height * 1000,
            PreviousHash = ByteString.CopyFrom(store.LastBlockHash.Bytes),
            TransactionsRoot = ByteString.CopyFrom(new byte[32]),
            AppHash = ByteString.CopyFrom(appHash.Bytes),
            Proposer = ByteString.CopyFrom(new byte[20]),
            ValidatorSetHash = ByteString.CopyFrom(new byte[32]),
            NextValidatorSetHash = ByteString.CopyFrom(new byte[32]),
        };
        var block = new Block { Header = header };
        foreach (var tx in transactions) block.Transactions.Add(ByteString.CopyFrom(tx));
        var results = transactions.Select((tx, i) => new TransactionResult
        {
            TransactionId = ByteString.CopyFrom(TransactionId.Of(tx).Bytes),
            Code = i % 2 == 0 ? "OK" : "INSUFFICIENT_FUNDS",
            Message = $"transaction {i} of block {header.Height}",
            PayloadId = ByteString.CopyFrom(Keccak256.Hash(tx.Reverse().ToArray()).Bytes),
        }).ToList();
        return new NextBlock(block, BlockHeaderHashing.Hash(header), results, changes, appHash);
    }

    public static StateChange Set(string key, string value) => new(key, System.Text.Encoding.UTF8.GetBytes(value));

    public static StateChange Delete(string key) => new(key, null);

    /// <summary>Changes as comparable text: StateChange equality compares its byte[] by reference.</summary>
    public static string[] Show(IEnumerable<StateChange> changes) =>
        changes.Select(c => c.Value is null ? c.Key + " deleted" : c.Key + "=" + Hex.Encode(c.Value)).ToArray();
}
