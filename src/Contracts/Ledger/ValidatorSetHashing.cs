using System.Buffers.Binary;
using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Contracts.Ledger;

/// <summary>
/// keccak256 over the validators sorted by address, each as address (20) ‖ power (int64 big-endian): what a header's
/// validator_set_hash and next_validator_set_hash commit to, and what the EVM anchor recomputes from a set in calldata.
/// </summary>
public static class ValidatorSetHashing
{
    public static Hash32 Of(IEnumerable<(Address Address, long Power)> validators)
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
