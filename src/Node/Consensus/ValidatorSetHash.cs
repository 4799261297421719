using System.Buffers.Binary;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Ledger.Genesis;

namespace P2PEnergy.Node.Consensus;

/// <summary>
/// keccak256 over the validators sorted by address, each as address (20) ‖ power (int64 big-endian): a header
/// commits to who may sign its commit, independent of the order the genesis listed them in.
/// </summary>
public static class ValidatorSetHash
{
    public static Hash32 Of(IEnumerable<ValidatorInfo> validators) => Of(validators.Select(v => (v.Address, v.Power)));

    /// <summary>The hash of a consensus set: proposer priorities are not part of it, only who signs with what power.</summary>
    public static Hash32 Of(Core.ValidatorSet validators) => Of(validators.Validators.Select(v => (v.Address, v.Power)));

    private static Hash32 Of(IEnumerable<(Address Address, long Power)> validators)
    {
        var sorted = validators.OrderBy(v => v.Address).ToList();
        var bytes = new byte[sorted.Count * 28];
        for (int i = 0; i < sorted.Count; i++)
        {
            sorted[i].Address.Bytes.CopyTo(bytes.AsSpan(i * 28));
            BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(i * 28 + 20), sorted[i].Power);
        }
        return Keccak256.Hash(bytes);
    }
}
