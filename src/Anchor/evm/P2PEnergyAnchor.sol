// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title P2PEnergy ledger anchor
/// @notice A light client of one P2PEnergy ledger: it accepts a checkpoint (a block header and its commit) only when
/// validators holding more than 2/3 of the voting power precommitted that header, exactly as the ledger's own nodes
/// check a commit (docs/anchoring.md). Once anchored, a block hash cannot be rewritten without contradicting this chain.
/// Anyone may post a checkpoint: the signatures, not the sender, carry the authority.
contract P2PEnergyAnchor {
    /// @notice A block header's fields; its hash is keccak256 of the ledger's 204-byte canonical layout
    /// (BlockHeaderHashing: chainId 8 ‖ height 8 ‖ timeMs 8 ‖ previousHash 32 ‖ transactionsRoot 32 ‖ appHash 32 ‖
    /// proposer 20 ‖ validatorSetHash 32 ‖ nextValidatorSetHash 32, integers big-endian).
    struct Header {
        uint64 chainId;
        uint64 height;
        int64 timeMs;
        bytes32 previousHash;
        bytes32 transactionsRoot;
        bytes32 appHash;
        address proposer;
        bytes32 validatorSetHash;
        bytes32 nextValidatorSetHash;
    }

    /// @notice One validator as the ledger hashes its set (ValidatorSetHash: address 20 ‖ power int64 big-endian,
    /// sorted by address).
    struct Validator {
        address addr;
        uint64 power;
    }

    /// @notice A precommit signature (r ‖ s ‖ v) over the EIP-712 CommitVote of the checkpoint's block.
    struct CommitSignature {
        bytes32 r;
        bytes32 s;
        uint8 v;
    }

    bytes32 private constant DOMAIN_TYPEHASH = keccak256("EIP712Domain(string name,string version,uint256 chainId)");
    bytes32 private constant COMMIT_VOTE_TYPEHASH =
        keccak256("CommitVote(uint64 height,uint32 round,bytes32 blockHash,uint8 voteType)");
    uint8 private constant PRECOMMIT = 2;
    /// @dev secp256k1n / 2: a larger s is the malleable twin of a valid signature (EIP-2).
    uint256 private constant HALF_N = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;
    /// @dev The ledger's bound on the total voting power (ValidatorSet.MaxTotalPower, int64 max / 8).
    uint256 private constant MAX_TOTAL_POWER = uint256(uint64(type(int64).max)) / 8;
    uint256 private constant MAX_VALIDATORS = 100;

    /// @notice The ledger's chain id (its genesis chainId), which its EIP-712 domain binds every vote to.
    uint64 public immutable ledgerChainId;
    /// @notice keccak256 of the ledger's domain {name "P2PEnergy", version "1", chainId ledgerChainId}.
    bytes32 public immutable domainSeparator;

    /// @notice Height of the last anchored checkpoint (0 before the first).
    uint64 public lastHeight;
    /// @notice The block hash anchored at each checkpoint height (zero where none was anchored).
    mapping(uint64 => bytes32) public checkpoints;
    /// @notice The ValidatorSetHash of the set that signs the next checkpoint.
    bytes32 public validatorSetHash;
    /// @notice That set's total voting power.
    uint64 public totalPower;
    mapping(address => uint64) private _power;
    address[] private _validators;

    /// @notice A checkpoint was anchored.
    event CheckpointAnchored(uint64 indexed height, bytes32 blockHash, bytes32 appHash, bytes32 transactionsRoot, uint64 signedPower, uint64 totalPower);
    /// @notice The set that signs checkpoints changed; `fromHeight` is the first ledger height it signs.
    event ValidatorSetChanged(uint64 indexed fromHeight, bytes32 validatorSetHash, uint64 totalPower, uint256 validators);

    error WrongChain(uint64 got, uint64 expected);
    error StaleHeight(uint64 height, uint64 lastHeight);
    error HeaderMismatch(bytes32 computed, bytes32 signed);
    error ValidatorSetMismatch(bytes32 header, bytes32 anchored);
    error NextValidatorSetMismatch(bytes32 header, bytes32 given);
    error InsufficientPower(uint64 signed, uint64 total);
    error BadSignature(uint256 index);
    error MalleableSignature(uint256 index);
    error NotAValidator(uint256 index, address signer);
    error SignersNotAscending(uint256 index, address signer);
    error InvalidValidatorSet(string reason);

    constructor(uint64 chainId, Validator[] memory genesisValidators) {
        ledgerChainId = chainId;
        domainSeparator = keccak256(abi.encode(DOMAIN_TYPEHASH, keccak256("P2PEnergy"), keccak256("1"), uint256(chainId)));
        _install(genesisValidators, 0);
    }

    /// @notice The validators of the current set, in address order, with their power.
    function validators() external view returns (Validator[] memory list) {
        list = new Validator[](_validators.length);
        for (uint256 i = 0; i < list.length; i++) list[i] = Validator(_validators[i], _power[_validators[i]]);
    }

    /// @notice Anchors `header` (hash `blockHash`, decided in `round`) on the precommits in `signatures`, ordered by
    /// strictly ascending signer address. When the header's next validator set differs from its own, `nextValidators`
    /// must be that set (sorted by address) and it signs every later checkpoint; otherwise it must be empty.
    function submitCheckpoint(
        Header calldata header,
        bytes32 blockHash,
        uint32 round,
        CommitSignature[] calldata signatures,
        Validator[] calldata nextValidators
    ) external {
        if (header.chainId != ledgerChainId) revert WrongChain(header.chainId, ledgerChainId);
        if (header.height <= lastHeight) revert StaleHeight(header.height, lastHeight);
        bytes32 computed = _hash(header);
        if (computed != blockHash) revert HeaderMismatch(computed, blockHash);
        if (header.validatorSetHash != validatorSetHash) revert ValidatorSetMismatch(header.validatorSetHash, validatorSetHash);

        uint64 signed = _signedPower(header.height, round, blockHash, signatures);
        // The ledger's quorum (Quorum.TwoThirds): more than 2/3 of the total power, in exact integers.
        if (uint256(signed) * 3 <= uint256(totalPower) * 2) revert InsufficientPower(signed, totalPower);

        lastHeight = header.height;
        checkpoints[header.height] = blockHash;
        emit CheckpointAnchored(header.height, blockHash, header.appHash, header.transactionsRoot, signed, totalPower);

        if (header.nextValidatorSetHash != header.validatorSetHash) {
            bytes32 given = _setHash(nextValidators);
            if (given != header.nextValidatorSetHash) revert NextValidatorSetMismatch(header.nextValidatorSetHash, given);
            for (uint256 i = 0; i < _validators.length; i++) delete _power[_validators[i]];
            delete _validators;
            _install(nextValidators, header.height + 1);
        } else if (nextValidators.length != 0) {
            revert NextValidatorSetMismatch(header.nextValidatorSetHash, _setHash(nextValidators));
        }
    }

    function _signedPower(uint64 height, uint32 round, bytes32 blockHash, CommitSignature[] calldata signatures)
        private
        view
        returns (uint64 signed)
    {
        bytes32 digest = keccak256(
            abi.encodePacked(
                hex"1901",
                domainSeparator,
                keccak256(abi.encode(COMMIT_VOTE_TYPEHASH, height, round, blockHash, PRECOMMIT))
            )
        );
        address previous = address(0);
        for (uint256 i = 0; i < signatures.length; i++) {
            CommitSignature calldata sig = signatures[i];
            if (uint256(sig.s) > HALF_N) revert MalleableSignature(i);
            uint8 v = sig.v < 27 ? sig.v + 27 : sig.v;
            if (v != 27 && v != 28) revert BadSignature(i);
            address signer = ecrecover(digest, v, sig.r, sig.s);
            if (signer == address(0)) revert BadSignature(i);
            // Ascending order makes a repeated signer impossible without a mapping of who already signed.
            if (signer <= previous) revert SignersNotAscending(i, signer);
            previous = signer;
            uint64 power = _power[signer];
            if (power == 0) revert NotAValidator(i, signer);
            signed += power;
        }
    }

    function _install(Validator[] memory set, uint64 fromHeight) private {
        if (set.length == 0 || set.length > MAX_VALIDATORS) revert InvalidValidatorSet("a set holds 1 to 100 validators");
        uint256 total = 0;
        address previous = address(0);
        for (uint256 i = 0; i < set.length; i++) {
            if (set[i].addr <= previous) revert InvalidValidatorSet("validators must be sorted by address, without repeats or the zero address");
            if (set[i].power == 0 || set[i].power > MAX_TOTAL_POWER) revert InvalidValidatorSet("every power must lie in [1, 2^60 - 1]");
            previous = set[i].addr;
            total += set[i].power;
            _power[set[i].addr] = set[i].power;
            _validators.push(set[i].addr);
        }
        if (total > MAX_TOTAL_POWER) revert InvalidValidatorSet("the total power must be at most 2^60 - 1");
        totalPower = uint64(total);
        validatorSetHash = _setHash(set);
        emit ValidatorSetChanged(fromHeight, validatorSetHash, totalPower, set.length);
    }

    function _setHash(Validator[] memory set) private pure returns (bytes32 hash) {
        bytes memory packed = new bytes(set.length * 28);
        for (uint256 i = 0; i < set.length; i++) {
            address addr = set[i].addr;
            uint64 power = set[i].power;
            // Each 32-byte store spills past its 28 bytes; the next entry (or nothing: free memory) overwrites it.
            assembly {
                let at := add(add(packed, 32), mul(i, 28))
                mstore(at, shl(96, addr))
                mstore(add(at, 20), shl(192, power))
            }
        }
        hash = keccak256(packed);
    }

    function _hash(Header calldata h) private pure returns (bytes32) {
        return keccak256(
            abi.encodePacked(
                h.chainId,
                h.height,
                h.timeMs,
                h.previousHash,
                h.transactionsRoot,
                h.appHash,
                h.proposer,
                h.validatorSetHash,
                h.nextValidatorSetHash
            )
        );
    }
}
