using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Node.Ledger.Genesis;

namespace P2PEnergy.Node.Consensus;

/// <summary>
/// keccak256 over the validators sorted by address, each as address (20) ‖ power (int64 big-endian): a header
/// commits to who may sign its commit, independent of the order the genesis listed them in (<see cref="ValidatorSetHashing"/>).
/// </summary>
public static class ValidatorSetHash
{
    public static Hash32 Of(IEnumerable<ValidatorInfo> validators) => ValidatorSetHashing.Of(validators.Select(v => (v.Address, v.Power)));

    /// <summary>The hash of a consensus set: proposer priorities are not part of it, only who signs with what power.</summary>
    public static Hash32 Of(Core.ValidatorSet validators) => ValidatorSetHashing.Of(validators.Validators.Select(v => (v.Address, v.Power)));
}
