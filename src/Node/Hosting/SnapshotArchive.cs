using System.Buffers.Binary;
using System.Formats.Tar;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.Kernel;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Storage;

namespace P2PEnergy.Node.Hosting;

/// <summary>
/// <c>p2pe-node snapshot export | import</c>: the state at a certified snapshot height H in one tar file — the state
/// file (<see cref="SnapshotFile"/>), block H with its commit, and the AttestStateRoot transactions that certified H —
/// and a new data directory made from it, whose chain starts at H. Import trusts nothing in the file: it recomputes
/// StateRoot(H), and requires that validators with more than 2/3 of the power of the set it trusts — the genesis set
/// the operator supplies, a weak-subjectivity root as in CometBFT's light client — signed both the attestations of that
/// root and app hash and block H's commit, whose header carries that app hash. A chain whose set changed since genesis is
/// checked against a set the operator trusts instead (<see cref="TrustedValidators"/>).
/// </summary>
public static class SnapshotArchive
{
    private const string ManifestName = "snapshot.json", StateName = "snapshot.state", BlockName = "block.pb", AttestationsName = "attestations.pb";

    /// <summary>Writes the export of certified height <paramref name="height"/> of <paramref name="dataDir"/>; reads beside a running node.</summary>
    public static SnapshotFile.Header Export(DataDirectory dataDir, ulong height, string archive)
    {
        archive = Path.GetFullPath(archive);
        if (File.Exists(archive)) throw new NodeSetupException($"{archive} already exists; an export never overwrites a file");
        var genesis = dataDir.ReadGenesis();
        using var store = StateSnapshot.Open(dataDir.LedgerFile);
        var certificate = store.Get(StateKeys.SnapshotCertificate(height)) is { } bytes ? SnapshotCertificate.Parser.ParseFrom(bytes)
            : throw new NodeSetupException($"height {height} is not a certified snapshot height at height {store.Height} (snapshots every {genesis.SnapshotIntervalBlocks} blocks; a height is certified a few blocks after it, once > 2/3 of the validators attest it)");
        string stateFile = StateRootAttestor.FileOf(dataDir, height);
        if (!File.Exists(stateFile))
            throw new NodeSetupException($"{stateFile} is missing: this node did not keep the state at height {height} (Node:SnapshotsKept); export a later certified height, or from a node that kept it");
        var (header, entries) = SnapshotFile.Read(stateFile);
        var root = StateRoot.Of(entries);
        if (root != header.StateRoot || root != Hash32.FromBytes(certificate.StateRoot.Span))
            throw new NodeSetupException($"{stateFile} hashes to state root {root}; the certificate of height {height} says {Hash32.FromBytes(certificate.StateRoot.Span)}");
        var block = store.Block(height) ?? throw new NodeSetupException($"block {height} is not in {dataDir.LedgerFile}");
        var attestations = new List<byte[]>();
        foreach (var (_, value) in store.EntriesFrom(StateKeys.SnapshotAttestationScan(height)))
        {
            var attestation = StateRootAttestation.Parser.ParseFrom(value);
            if (attestation.StateRoot != certificate.StateRoot || attestation.AppHash != certificate.AppHash) continue;
            var id = Hash32.FromBytes(attestation.TransactionId.Span);
            var at = store.TransactionHeight(id) ?? throw new NodeSetupException($"the attestation transaction {id} is not in the block store");
            attestations.Add(store.Block(at)!.Transactions.Select(t => t.ToByteArray()).First(t => TransactionId.Of(t) == id));
        }

        var manifest = new JsonObject
        {
            ["chainId"] = genesis.ChainId, ["genesisHash"] = Keccak256.Hash(File.ReadAllBytes(dataDir.GenesisFile)).ToString(), ["height"] = height,
            ["stateRoot"] = header.StateRoot.ToString(), ["appHash"] = header.AppHash.ToString(), ["entries"] = header.Entries, ["attestations"] = attestations.Count,
        };
        using var output = new FileStream(archive, FileMode.CreateNew, FileAccess.Write);
        try
        {
            using (var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
            {
                Add(tar, ManifestName, System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n"));
                tar.WriteEntry(stateFile, StateName);
                Add(tar, BlockName, block.ToByteArray());
                Add(tar, AttestationsName, LengthPrefixed(attestations));
            }
            output.Flush(flushToDisk: true);
        }
        catch
        {
            output.Dispose();
            File.Delete(archive);
            throw;
        }
        return header;
    }

    /// <summary>
    /// Checks <paramref name="archive"/> against the validators of <paramref name="genesisFile"/> — or, given
    /// <paramref name="trustedValidatorsFile"/>, against the set it names (<see cref="TrustedValidators"/>): the trust root — and makes
    /// <paramref name="dataDir"/> (missing or empty) a node whose chain starts at the snapshot's height, with a validator
    /// keystore as init writes one — or, with <paramref name="observer"/>, an observer's files as <c>init --observer</c>
    /// writes them (no validator key; <paramref name="password"/> unused). Any check that fails is a
    /// <see cref="SnapshotRejection"/> with its reason code; the directory is then left without a ledger.
    /// </summary>
    public static SnapshotFile.Header Import(string archive, string genesisFile, DataDirectory dataDir, string password, PrivateKey? validatorKey, bool observer = false,
        string? trustedValidatorsFile = null)
    {
        if (observer && validatorKey is not null) throw new NodeSetupException("an observer has no validator key: import with --observer or with --validator-key-file, not both");
        if (!File.Exists(archive)) throw new NodeSetupException($"snapshot {archive} does not exist");
        if (!File.Exists(genesisFile)) throw new NodeSetupException($"genesis file {genesisFile} does not exist");
        var genesis = GenesisDocument.Parse(File.ReadAllText(genesisFile));
        var parameters = genesis.ToParameters();
        var trusted = trustedValidatorsFile is null ? parameters.Validators.ToDictionary(v => v.Address, v => (ulong)v.Power) : TrustedValidators.Read(trustedValidatorsFile);
        var staging = System.IO.Directory.CreateTempSubdirectory("p2pe-snapshot-");
        try
        {
            var files = Unpack(archive, staging.FullName);
            var manifest = JsonNode.Parse(File.ReadAllText(files[ManifestName]))!;
            var genesisHash = Keccak256.Hash(File.ReadAllBytes(genesisFile));
            if ((ulong)manifest["chainId"]! != parameters.ChainId || (string?)manifest["genesisHash"] != genesisHash.ToString())
                throw new SnapshotRejection(SnapshotRejection.WrongChain, $"{archive} is a snapshot of chain {manifest["chainId"]} with genesis {manifest["genesisHash"]}, not of {genesisFile} (chain {parameters.ChainId}, genesis {genesisHash})");

            var (header, entries) = SnapshotFile.Read(files[StateName]);
            byte[]? recordedSet = null;
            string setKey = StateKeys.SnapshotValidators(header.Height);
            var root = StateRoot.Of(entries.Select(e => { if (e.Key == setKey) recordedSet = e.Value; return e; }));
            if (root != header.StateRoot)
                throw new SnapshotRejection(SnapshotRejection.StateRootMismatch, $"{archive}: the state entries hash to state root {root}, the snapshot claims {header.StateRoot}");

            RequireTrustedSet(recordedSet, trusted, header.Height, trustedValidatorsFile ?? genesisFile, trustedValidatorsFile is null);
            var block = Block.Parser.ParseFrom(File.ReadAllBytes(files[BlockName]));
            RequireCommittedBlock(block, header, parameters.ChainId, trusted);
            RequireCertificate(File.ReadAllBytes(files[AttestationsName]), header, parameters, trusted);

            NodeInitializer.RequireEmpty(dataDir);
            NodeInitializer.CreateDirectory(dataDir);
            using var dataLock = DataDirectoryLock.Acquire(dataDir);
            NodeInitializer.RequireEmpty(dataDir);
            if (observer) NodeInitializer.WriteObserverFiles(genesisFile, genesis, dataDir);
            else NodeInitializer.WriteNodeFiles(genesisFile, genesis, dataDir, password, validatorKey);
            System.IO.Directory.CreateDirectory(StateRootAttestor.SnapshotsPath(dataDir));
            // The imported state stays beside the ledger: verify replays the blocks after it from there.
            File.Copy(files[StateName], StateRootAttestor.BaseFileOf(dataDir));
            using var store = SqliteLedgerStore.Open(dataDir.LedgerFile);
            store.InitializeFromSnapshot(genesisHash, block, header.StateRoot, SnapshotFile.Read(StateRootAttestor.BaseFileOf(dataDir)).Entries);
            return header;
        }
        finally { staging.Delete(recursive: true); }
    }

    /// <summary>The set the state records as in force at H must be the one the operator trusts (weak subjectivity).</summary>
    private static void RequireTrustedSet(byte[]? recorded, Dictionary<Address, ulong> trusted, ulong height, string trustSource, bool fromGenesis)
    {
        if (recorded is null) throw new SnapshotRejection(SnapshotRejection.UntrustedValidators, $"the snapshot's state has no validator record for height {height}");
        var set = SetValidatorSet.Parser.ParseFrom(recorded).Validators.ToDictionary(v => Address.FromBytes(v.Validator.Span), v => v.Power);
        if (set.Count != trusted.Count || set.Any(v => !trusted.TryGetValue(v.Key, out var power) || power != v.Value))
            throw new SnapshotRejection(SnapshotRejection.UntrustedValidators, $"the validators in force at height {height} ({string.Join(", ", set.Select(v => $"{v.Key}:{v.Value}"))}) are not the set {trustSource} names, the one this import trusts; "
                + (fromGenesis ? "a chain whose validator set changed since genesis is imported with --trusted-validators FILE naming its set at that height" : "take the set in force at that height from operators you trust")
                + " (docs/operator.md \"Snapshots\")");
    }

    /// <summary>Block H is the block of the snapshot's app hash, decided by > 2/3 of the trusted power.</summary>
    private static void RequireCommittedBlock(Block block, SnapshotFile.Header header, ulong chainId, Dictionary<Address, ulong> trusted)
    {
        CommitQuorum.Require(block, header.Height, chainId, trusted);
        if (!block.Header.AppHash.Span.SequenceEqual(header.AppHash.Bytes))
            throw new SnapshotRejection(SnapshotRejection.BlockMismatch, $"the snapshot's block {header.Height} carries app hash {Hex.Encode(block.Header.AppHash.Span)}; the state claims {header.AppHash}");
    }

    /// <summary>The attestations: each verifies, names this height, root and app hash, and together they carry > 2/3.</summary>
    private static void RequireCertificate(byte[] attestations, SnapshotFile.Header header, ChainParameters parameters, Dictionary<Address, ulong> trusted)
    {
        var verifier = new TransactionVerifier(parameters.ChainId, Secp256k1.Default);
        var signers = new List<Address?>();
        foreach (var bytes in ReadLengthPrefixed(attestations))
        {
            VerifiedTransaction tx;
            try { tx = verifier.Verify(bytes); }
            catch (LedgerRejection e) { throw new SnapshotRejection(SnapshotRejection.BadAttestation, $"an attestation in the snapshot does not verify: {e.Code} {e.Message}"); }
            if (tx.Body is not AttestStateRoot attest || attest.Height != header.Height
                || !attest.StateRoot.Span.SequenceEqual(header.StateRoot.Bytes) || !attest.AppHash.Span.SequenceEqual(header.AppHash.Bytes))
                throw new SnapshotRejection(SnapshotRejection.BadAttestation, $"transaction {tx.Id} in the snapshot is not an attestation of height {header.Height}'s state root and app hash");
            signers.Add(tx.Signers[0]);
        }
        CommitQuorum.RequireMoreThanTwoThirds(signers, trusted, $"the attestations of state root {header.StateRoot}");
    }

    private static Dictionary<string, string> Unpack(string archive, string directory)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        using var input = File.OpenRead(archive);
        using var tar = new TarReader(input);
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.EntryType != TarEntryType.RegularFile || entry.Name is not (ManifestName or StateName or BlockName or AttestationsName) || files.ContainsKey(entry.Name))
                throw new SnapshotRejection(SnapshotRejection.Malformed, $"{archive} holds '{entry.Name}', which is not part of a p2pe-node snapshot");
            var path = Path.Combine(directory, entry.Name);
            entry.ExtractToFile(path, overwrite: false);
            files[entry.Name] = path;
        }
        var missing = new[] { ManifestName, StateName, BlockName, AttestationsName }.Where(n => !files.ContainsKey(n)).ToList();
        return missing.Count == 0 ? files : throw new SnapshotRejection(SnapshotRejection.Malformed, $"{archive} is not a p2pe-node snapshot (it lacks {string.Join(", ", missing)})");
    }

    private static void Add(TarWriter tar, string name, byte[] bytes)
        => tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(bytes) });

    private static byte[] LengthPrefixed(IReadOnlyList<byte[]> items)
    {
        var output = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        foreach (var item in items)
        {
            BinaryPrimitives.WriteUInt32BigEndian(length, (uint)item.Length);
            output.Write(length);
            output.Write(item);
        }
        return output.ToArray();
    }

    private static IEnumerable<byte[]> ReadLengthPrefixed(byte[] bytes)
    {
        for (int offset = 0; offset < bytes.Length;)
        {
            if (offset + 4 > bytes.Length) throw new SnapshotRejection(SnapshotRejection.Malformed, "the snapshot's attestations are cut short");
            int length = checked((int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset)));
            if (length > bytes.Length - offset - 4) throw new SnapshotRejection(SnapshotRejection.Malformed, "the snapshot's attestations are cut short");
            yield return bytes.AsSpan(offset + 4, length).ToArray();
            offset += 4 + length;
        }
    }
}
