using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.ValidatorSets;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Storage;

namespace P2PEnergy.Node.Api;

/// <summary>
/// The finality of a stored block for clients (<see cref="Finality"/>): the power of its commit's signers against the
/// validator set in force at its height. Consensus checked every signature before it stored the commit, so the signers
/// named there are counted as they stand; a node that imported blocks checked them on import.
/// </summary>
public static class CommitFinality
{
    /// <summary>The finality of block <paramref name="height"/> (which must be stored).</summary>
    public static Finality Of(ILedgerStore store, ChainParameters parameters, ulong height)
    {
        var block = store.GetBlock(height) ?? throw new InvalidOperationException($"block {height} is not stored");
        var power = ValidatorSchedule.InForce(store, parameters, height).ToDictionary(v => v.Address, v => (ulong)v.Power);
        var finality = new Finality { Height = height, TotalPower = power.Values.Aggregate(0UL, (sum, p) => checked(sum + p)) };
        if (block.Commit is { } commit)
        {
            finality.BlockHash = commit.BlockHash;
            finality.Round = commit.Round;
            var counted = new HashSet<Address>();
            foreach (var signature in commit.Signatures)
            {
                finality.Signers.Add(signature.Validator);
                if (signature.Validator.Length == 20 && Address.FromBytes(signature.Validator.Span) is var signer && counted.Add(signer) && power.TryGetValue(signer, out var p))
                    finality.SignedPower = checked(finality.SignedPower + p);
            }
        }
        finality.Final = (UInt128)finality.SignedPower * 3 > (UInt128)finality.TotalPower * 2;
        return finality;
    }
}
