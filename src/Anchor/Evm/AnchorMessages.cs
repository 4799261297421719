using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

namespace P2PEnergy.Anchor.Evm;

// The ABI of src/Anchor/evm/P2PEnergyAnchor.sol as Nethereum messages. AnchorArtifactTests checks every signature here
// against the compiled ABI, so a change to the contract that these do not follow fails the build.

/// <summary>The contract's Header struct: the ledger header's fields in canonical order.</summary>
[Struct("Header")]
public sealed class HeaderInput
{
    [Parameter("uint64", "chainId", 1)] public ulong ChainId { get; set; }
    [Parameter("uint64", "height", 2)] public ulong Height { get; set; }
    [Parameter("int64", "timeMs", 3)] public long TimeMs { get; set; }
    [Parameter("bytes32", "previousHash", 4)] public byte[] PreviousHash { get; set; } = [];
    [Parameter("bytes32", "transactionsRoot", 5)] public byte[] TransactionsRoot { get; set; } = [];
    [Parameter("bytes32", "appHash", 6)] public byte[] AppHash { get; set; } = [];
    [Parameter("address", "proposer", 7)] public string Proposer { get; set; } = "";
    [Parameter("bytes32", "validatorSetHash", 8)] public byte[] ValidatorSetHash { get; set; } = [];
    [Parameter("bytes32", "nextValidatorSetHash", 9)] public byte[] NextValidatorSetHash { get; set; } = [];
}

/// <summary>One validator: address and voting power.</summary>
[Struct("Validator")]
public sealed class ValidatorInput
{
    [Parameter("address", "addr", 1)] public string Address { get; set; } = "";
    [Parameter("uint64", "power", 2)] public ulong Power { get; set; }
}

/// <summary>A precommit signature split into r, s and v.</summary>
[Struct("CommitSignature")]
public sealed class CommitSignatureInput
{
    [Parameter("bytes32", "r", 1)] public byte[] R { get; set; } = [];
    [Parameter("bytes32", "s", 2)] public byte[] S { get; set; } = [];
    [Parameter("uint8", "v", 3)] public byte V { get; set; }
}

/// <summary>submitCheckpoint(header, blockHash, round, signatures, nextValidators).</summary>
[Function("submitCheckpoint")]
public sealed class SubmitCheckpointFunction : FunctionMessage
{
    [Parameter("tuple", "header", 1)] public HeaderInput Header { get; set; } = new();
    [Parameter("bytes32", "blockHash", 2)] public byte[] BlockHash { get; set; } = [];
    [Parameter("uint32", "round", 3)] public uint Round { get; set; }
    [Parameter("tuple[]", "signatures", 4)] public List<CommitSignatureInput> Signatures { get; set; } = [];
    [Parameter("tuple[]", "nextValidators", 5)] public List<ValidatorInput> NextValidators { get; set; } = [];
}

/// <summary>The constructor: the ledger's chain id and its genesis (or current) validator set, sorted by address.</summary>
public sealed class AnchorDeployment : ContractDeploymentMessage
{
    public AnchorDeployment() : base(AnchorArtifact.Bytecode) { }

    [Parameter("uint64", "chainId", 1)] public ulong ChainId { get; set; }
    [Parameter("tuple[]", "genesisValidators", 2)] public List<ValidatorInput> Validators { get; set; } = [];
}

[Function("lastHeight", "uint64")]
public sealed class LastHeightFunction : FunctionMessage;

[Function("ledgerChainId", "uint64")]
public sealed class LedgerChainIdFunction : FunctionMessage;

[Function("validatorSetHash", "bytes32")]
public sealed class ValidatorSetHashFunction : FunctionMessage;

[Function("totalPower", "uint64")]
public sealed class TotalPowerFunction : FunctionMessage;

[Function("checkpoints", "bytes32")]
public sealed class CheckpointsFunction : FunctionMessage
{
    [Parameter("uint64", "", 1)] public ulong Height { get; set; }
}

/// <summary>The CheckpointAnchored event.</summary>
[Event("CheckpointAnchored")]
public sealed class CheckpointAnchoredEvent : IEventDTO
{
    [Parameter("uint64", "height", 1, true)] public ulong Height { get; set; }
    [Parameter("bytes32", "blockHash", 2, false)] public byte[] BlockHash { get; set; } = [];
    [Parameter("bytes32", "appHash", 3, false)] public byte[] AppHash { get; set; } = [];
    [Parameter("bytes32", "transactionsRoot", 4, false)] public byte[] TransactionsRoot { get; set; } = [];
    [Parameter("uint64", "signedPower", 5, false)] public ulong SignedPower { get; set; }
    [Parameter("uint64", "totalPower", 6, false)] public ulong TotalPower { get; set; }
}

/// <summary>The ValidatorSetChanged event.</summary>
[Event("ValidatorSetChanged")]
public sealed class ValidatorSetChangedEvent : IEventDTO
{
    [Parameter("uint64", "fromHeight", 1, true)] public ulong FromHeight { get; set; }
    [Parameter("bytes32", "validatorSetHash", 2, false)] public byte[] ValidatorSetHash { get; set; } = [];
    [Parameter("uint64", "totalPower", 3, false)] public ulong TotalPower { get; set; }
    [Parameter("uint256", "validators", 4, false)] public BigInteger Validators { get; set; }
}
