using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Consensus.Application;
using P2PEnergy.Node.Consensus.Driver;
using P2PEnergy.Node.Consensus.Wal;

namespace P2PEnergy.Node.Consensus.Engine;

/// <summary>
/// What the consensus host needs to make a <see cref="TendermintDriver"/>, again after a failure: its options, the
/// ledger application, the network, the directory of its log and last-signed guard, and the validator key (null: an
/// observer).
/// </summary>
public sealed record ConsensusSetup(DriverOptions Options, LedgerApplication Application, IConsensusNetwork Network, IWalStorage Storage, PrivateKey? Key);
