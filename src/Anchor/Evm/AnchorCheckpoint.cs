using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Anchor.Evm;

/// <summary>
/// A committed block as the anchor contract takes it: the header's fields, the commit's round and signatures (ordered by
/// signer address, as the contract requires) and, when the header's next validator set differs from its own, that set.
/// </summary>
public static class AnchorCheckpoint
{
    /// <summary>
    /// The submitCheckpoint call for <paramref name="block"/>. <paramref name="nextValidators"/> is the set in force at
    /// height + 1; it is sent only when the header commits to a set change (the contract refuses it otherwise).
    /// </summary>
    public static SubmitCheckpointFunction From(Block block, IReadOnlyList<(Address Address, long Power)>? nextValidators)
    {
        var header = block.Header ?? throw new ArgumentException("the block has no header", nameof(block));
        var commit = block.Commit ?? throw new ArgumentException($"block {header.Height} has no commit", nameof(block));
        bool changes = !header.NextValidatorSetHash.Span.SequenceEqual(header.ValidatorSetHash.Span);
        var function = new SubmitCheckpointFunction
        {
            Header = ToInput(header),
            BlockHash = commit.BlockHash.ToByteArray(),
            Round = commit.Round,
            Signatures = ToInput(commit),
        };
        if (changes)
        {
            if (nextValidators is null)
                throw new ArgumentException($"block {header.Height} commits to a validator-set change; the next set is needed", nameof(nextValidators));
            var hash = ValidatorSetHashing.Of(nextValidators);
            if (!hash.Bytes.SequenceEqual(header.NextValidatorSetHash.Span))
                throw new ArgumentException($"the given next set hashes to {hash}, block {header.Height} commits to {Hex.Encode(header.NextValidatorSetHash.Span)}", nameof(nextValidators));
            function.NextValidators = ToInput(nextValidators);
        }
        return function;
    }

    public static HeaderInput ToInput(BlockHeader header) => new()
    {
        ChainId = header.ChainId, Height = header.Height, TimeMs = header.TimeMs,
        PreviousHash = header.PreviousHash.ToByteArray(), TransactionsRoot = header.TransactionsRoot.ToByteArray(), AppHash = header.AppHash.ToByteArray(),
        Proposer = Address.FromBytes(header.Proposer.Span).ToString(),
        ValidatorSetHash = header.ValidatorSetHash.ToByteArray(), NextValidatorSetHash = header.NextValidatorSetHash.ToByteArray(),
    };

    /// <summary>The commit's signatures split into r, s, v, ordered by the validator each names (the contract wants them ascending).</summary>
    public static List<CommitSignatureInput> ToInput(BlockCommit commit)
        => commit.Signatures
            .OrderBy(s => Address.FromBytes(s.Validator.Span))
            .Select(s => Signature.FromBytes(s.Signature.Span))
            .Select(s => new CommitSignatureInput { R = s.R.ToArray(), S = s.S.ToArray(), V = s.V })
            .ToList();

    /// <summary>A validator set in the contract's order (ascending address).</summary>
    public static List<ValidatorInput> ToInput(IEnumerable<(Address Address, long Power)> validators)
        => validators.OrderBy(v => v.Address).Select(v => new ValidatorInput { Address = v.Address.ToString(), Power = checked((ulong)v.Power) }).ToList();
}
