using System.Buffers.Binary;
using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus;
using P2PEnergy.Node.Consensus.Core;
using P2PEnergy.Node.Consensus.Driver;
using P2PEnergy.Node.Consensus.ValidatorSets;

namespace P2PEnergy.Node.Tests.Consensus.Simulation;

/// <summary>
/// The replicated state machine the simulation orders blocks for: blocks of random "transactions" whose app hash is a
/// hash chain (keccak(previous app hash ‖ transactions root)), some deliberately poisoned so the block is invalid, and
/// validator-set changes that take effect two heights after their block. What it committed is its "disk": it survives
/// the node's crashes, committed atomically, as the SQLite store does.
/// </summary>
public sealed class SimApplication : IConsensusApplication
{
    public const byte OrdinaryTransaction = 0x01;
    public const byte PoisonTransaction = 0xFF;
    public const byte SetValidatorsTransaction = 0x56;

    private readonly ulong _chainId;
    private readonly long _genesisTimeMs;
    private readonly SimRandom _random;
    private readonly int _invalidPermille;
    private readonly List<Block> _chain = [];
    private readonly List<Hash32> _appHashes;
    private readonly List<ValidatorSet> _sets;
    private readonly Dictionary<ulong, byte[]> _changes = [];
    private readonly List<byte[]> _governance = [];

    public SimApplication(ulong chainId, long genesisTimeMs, ValidatorSet genesis, SimRandom random, int invalidPermille)
    {
        _chainId = chainId;
        _genesisTimeMs = genesisTimeMs;
        _random = random;
        _invalidPermille = invalidPermille;
        _appHashes = [Keccak256.Hash(BitConverter.GetBytes(chainId))];
        _sets = [genesis, genesis];
    }

    /// <summary>Called when this node stores a block that does not execute (a validity violation).</summary>
    public Action<ulong, string>? InvalidCommit { get; set; }

    public ulong Height => (ulong)_chain.Count;

    public long LastBlockTimeMs => _chain.Count == 0 ? _genesisTimeMs : _chain[^1].Header.TimeMs;

    public bool HasPendingTransactions => _governance.Count > 0;

    public Hash32 AppHashAt(ulong height) => _appHashes[(int)height];

    public ValidatorSet ValidatorsAt(ulong height)
        => height >= 1 && height <= Height + 1 ? _sets[(int)height] : throw new ArgumentOutOfRangeException(nameof(height), height, $"the set is known for heights 1..{Height + 1}");

    /// <summary>Puts a governance transaction in this node's mempool; it goes into every block this node proposes until committed.</summary>
    public void Submit(byte[] transaction) => _governance.Add(transaction);

    public Block BuildProposal(ulong height, long timeMs, Address proposer)
    {
        var transactions = new List<byte[]>();
        int count = _random.Next(4);
        for (int i = 0; i < count; i++) transactions.Add([OrdinaryTransaction, .. _random.Bytes(8)]);
        transactions.AddRange(_governance);
        if (_random.Chance(_invalidPermille)) transactions.Add([PoisonTransaction, .. _random.Bytes(4)]);
        return Assemble(height, timeMs, proposer, transactions);
    }

    /// <summary>A different valid block for the same slot (what an equivocating proposer sends half the network).</summary>
    public Block BuildVariant(Block original)
    {
        var transactions = original.Transactions.Select(t => t.ToByteArray()).ToList();
        transactions.Add([OrdinaryTransaction, .. _random.Bytes(8)]);
        return Assemble(original.Header.Height, original.Header.TimeMs, Address.FromBytes(original.Header.Proposer.Span), transactions);
    }

    public ExecutionVerdict Execute(Block block)
    {
        var header = block.Header;
        string? problem = header is null ? "no header" : Check(block);
        var root = header is null ? Hash32.Zero : Root(block);
        var appHash = Keccak256.Hash([.. AppHashAt(Height).Bytes, .. root.Bytes]);
        if (problem is null && header!.AppHash.ToByteArray().AsSpan().SequenceEqual(appHash.Bytes) is false)
            problem = $"header app hash {Hash32.FromBytes(header.AppHash.Span)} but the block executes to {appHash}";
        return new ExecutionVerdict(problem is null, appHash, problem ?? "");
    }

    public void Commit(Block block)
    {
        var verdict = Execute(block);
        ulong height = Height + 1;
        if (!verdict.Valid) InvalidCommit?.Invoke(height, verdict.Reason);
        _chain.Add(block);
        _appHashes.Add(verdict.AppHash);
        foreach (var tx in block.Transactions.Select(t => t.ToByteArray()).Where(t => t[0] == SetValidatorsTransaction))
        {
            _changes[ValidatorSchedule.EffectiveHeight(height)] = tx;
            _governance.RemoveAll(g => g.AsSpan().SequenceEqual(tx));
        }
        var next = _sets[(int)height].Next();
        if (_changes.TryGetValue(height + 1, out var change)) next = next.WithPowers(ParseSet(change)!);
        _sets.Add(next);
    }

    public Block? CommittedBlock(ulong height) => height >= 1 && height <= Height ? _chain[(int)height - 1] : null;

    /// <summary>A governance transaction that makes <paramref name="validators"/> the whole set.</summary>
    public static byte[] SetValidators(IEnumerable<(Address Address, long Power)> validators)
    {
        var list = validators.ToList();
        var tx = new byte[2 + 28 * list.Count];
        tx[0] = SetValidatorsTransaction;
        tx[1] = (byte)list.Count;
        for (int i = 0; i < list.Count; i++)
        {
            list[i].Address.Bytes.CopyTo(tx.AsSpan(2 + 28 * i));
            BinaryPrimitives.WriteInt64BigEndian(tx.AsSpan(22 + 28 * i), list[i].Power);
        }
        return tx;
    }

    private Block Assemble(ulong height, long timeMs, Address proposer, List<byte[]> transactions)
    {
        var block = new Block();
        block.Transactions.AddRange(transactions.Select(ByteString.CopyFrom));
        var root = Root(block);
        block.Header = new BlockHeader
        {
            ChainId = _chainId, Height = height, TimeMs = timeMs,
            PreviousHash = ByteString.CopyFrom(PreviousHash().Bytes),
            TransactionsRoot = ByteString.CopyFrom(root.Bytes),
            AppHash = ByteString.CopyFrom(Keccak256.Hash([.. AppHashAt(Height).Bytes, .. root.Bytes]).Bytes),
            Proposer = ByteString.CopyFrom(proposer.Bytes),
            ValidatorSetHash = ByteString.CopyFrom(ValidatorSetHash.Of(ValidatorsAt(height)).Bytes),
            NextValidatorSetHash = ByteString.CopyFrom(NextSetHash(height).Bytes),
        };
        return block;
    }

    private string? Check(Block block)
    {
        var h = block.Header;
        if (h.ChainId != _chainId) return $"chain {h.ChainId}";
        if (h.Height != Height + 1) return $"height {h.Height} does not follow {Height}";
        if (Hash32.FromBytes(h.PreviousHash.Span) != PreviousHash()) return "previous hash is not the last block's";
        if (h.TimeMs <= LastBlockTimeMs) return $"time {h.TimeMs} is not after the parent's {LastBlockTimeMs}";
        if (Hash32.FromBytes(h.TransactionsRoot.Span) != Root(block)) return "transactions root does not match";
        if (Hash32.FromBytes(h.ValidatorSetHash.Span) != ValidatorSetHash.Of(ValidatorsAt(h.Height))) return "validator set hash does not match";
        if (Hash32.FromBytes(h.NextValidatorSetHash.Span) != NextSetHash(h.Height)) return "next validator set hash does not match";
        if (!ValidatorsAt(h.Height).Contains(Address.FromBytes(h.Proposer.Span))) return "proposer is not a validator";
        foreach (var tx in block.Transactions.Select(t => t.ToByteArray()))
        {
            if (tx.Length == 0 || tx[0] == PoisonTransaction) return "poison transaction";
            if (tx[0] == SetValidatorsTransaction && ParseSet(tx) is null) return "malformed validator set";
        }
        return null;
    }

    /// <summary>The hash of the set at <paramref name="height"/> + 1: a change committed at height − 1 or earlier, else this height's members.</summary>
    private Hash32 NextSetHash(ulong height)
        => _changes.TryGetValue(height + 1, out var change)
            ? ValidatorSetHash.Of(ValidatorSet.Create(ParseSet(change)!))
            : ValidatorSetHash.Of(ValidatorsAt(height));

    private Hash32 PreviousHash() => _chain.Count == 0 ? Hash32.Zero : BlockHeaderHashing.Hash(_chain[^1].Header);

    private static Hash32 Root(Block block) => MerkleRoot.Compute(block.Transactions.Select(t => TransactionId.Of(t.Span)).ToList());

    private static List<(Address, long)>? ParseSet(byte[] tx)
    {
        if (tx.Length < 2 || tx[1] == 0 || tx.Length != 2 + 28 * tx[1]) return null;
        var set = new List<(Address, long)>();
        for (int i = 0; i < tx[1]; i++)
        {
            var address = Address.FromBytes(tx.AsSpan(2 + 28 * i, 20));
            long power = BinaryPrimitives.ReadInt64BigEndian(tx.AsSpan(22 + 28 * i));
            if (power <= 0 || set.Any(s => s.Item1 == address)) return null;
            set.Add((address, power));
        }
        return set;
    }
}
