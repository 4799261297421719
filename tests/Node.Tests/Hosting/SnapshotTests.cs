using P2PEnergy.Contracts.Ledger;
using System.Formats.Tar;
using Google.Protobuf;
using P2PEnergy.Contracts.Api;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Hosting;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Storage;
using P2PEnergy.Node.Tests.Ledger;
using P2PEnergy.Node.Tests.Support;
using Xunit.Abstractions;

namespace P2PEnergy.Node.Tests.Hosting;

/// <summary>
/// Snapshots end to end, in-process: a validator attests StateRoot(10) by itself and certifies it; export beside the
/// running node; import checks root, commit and certificate against the genesis validators and starts a data directory
/// at height 10 whose state and app hash are the source's; verify replays from 10; the imported node (the same validator,
/// the source stopped) commits on and verifies again. A tampered snapshot, an untrusted set and a used directory are refused.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SnapshotTests(ITestOutputHelper output) : IDisposable
{
    private readonly NodeDirectory _source = new(configure: genesis => genesis.SnapshotIntervalBlocks = 10);
    private readonly string _work = Directory.CreateTempSubdirectory("p2pe-snapshot-test-").FullName;

    public void Dispose()
    {
        _source.Dispose();
        try { Directory.Delete(_work, recursive: true); } catch (IOException) { /* best effort on a temp dir */ }
    }

    private static int Cli(params string[] arguments) => NodeCli.Build().Parse(arguments).Invoke();

    /// <summary>
    /// For a source node that keeps committing (every 50 ms) while the test reads its snapshot: with the default
    /// Node:SnapshotsKept (2), height 10's state file goes when height 30's is written, a second later, which a loaded
    /// machine can take to find the certificate and export.
    /// </summary>
    internal static readonly Dictionary<string, string?> KeepAll = new() { ["Node:SnapshotsKept"] = "1000" };

    [Fact]
    public async Task Snapshot_AttestedCertifiedExported_ImportsAtItsHeight_VerifiesFromThere_AndTheImportedNodeRunsOn()
    {
        string archive = Path.Combine(_work, "snapshot-10.tar");
        List<KeyValuePair<string, byte[]>> sourceState;
        Block sourceBlock;
        ulong sourceHeight;
        Hash32 sourceAppHash;
        await using (var host = _source.CreateHost(heartbeatMs: 50, settings: KeepAll))
        {
            await host.StartAsync();
            await WaitForCertificateAsync(_source.Data.LedgerFile, 10, TimeSpan.FromSeconds(60));
            await host.Snapshots.Idle();
            var (header, entries) = SnapshotFile.Read(StateRootAttestor.FileOf(_source.Data, 10));
            sourceState = entries.ToList();
            using (var read = StateSnapshot.Open(_source.Data.LedgerFile)) sourceBlock = read.Block(10)!;
            Assert.Equal(Hash32.FromBytes(sourceBlock.Header.AppHash.Span), header.AppHash);
            // Export reads beside the running node.
            Assert.Equal(0, Cli("snapshot", "export", "--data-dir", _source.Data.Path, "--height", "10", "--to", archive));
            // A deposit after the snapshot height: the blocks the imported node syncs carry a transaction, not only heartbeats.
            using var channel = NodeChannel.Create(host.Address);
            var deposit = LedgerHarness.Envelope(new Deposit { Account = ByteString.CopyFrom(_source.Chain.Alice.Address.Bytes), Amount = 5, Reference = "before the sync", Nonce = 900 }, _source.Chain.Operator);
            Assert.Equal(ReasonCodes.Ok, (await channel.CommitAsync(deposit)).Result.Code);
        }
        using (var read = StateSnapshot.Open(_source.Data.LedgerFile)) (sourceHeight, sourceAppHash) = (read.Height, read.AppHash);
        Assert.True(sourceHeight > 10, $"the source stopped at {sourceHeight}");

        var imported = new DataDirectory(Path.Combine(_work, "imported"));
        string password = WritePassword(), key = Path.Combine(_work, "validator.key");
        File.WriteAllText(key, "0x" + Convert.ToHexStringLower(_source.Chain.Validator.Bytes));
        Assert.Equal(0, Cli("snapshot", "import", "--from", archive, "--genesis", _source.GenesisFile, "--data-dir", imported.Path,
            "--password-file", password, "--validator-key-file", key));

        using (var store = SqliteLedgerStore.Open(imported.LedgerFile))
        {
            Assert.Equal((10UL, Hash32.FromBytes(sourceBlock.Header.AppHash.Span)), (store.Height, store.AppHash));
            Assert.Equal(sourceState.Select(e => (e.Key, Convert.ToHexString(e.Value))), store.Scan("").Select(e => (e.Key, Convert.ToHexString(e.Value))));
            Assert.Equal(new SnapshotBase(10, StateRoot.Of(sourceState), store.AppHash), store.Base());
            Assert.Null(store.GetBlock(9)); // history before the snapshot is not in it
            Assert.Equal(sourceBlock, store.GetBlock(10));
        }
        Assert.Equal(0, Cli("verify", "--data-dir", imported.Path));

        // Sync the rest: every block after 10 from the source's ledger, each commit and app hash checked.
        Assert.Equal(0, Cli("snapshot", "sync", "--data-dir", imported.Path, "--from-ledger", _source.Data.LedgerFile));
        using (var store = SqliteLedgerStore.Open(imported.LedgerFile))
            Assert.Equal((sourceHeight, sourceAppHash), (store.Height, store.AppHash));
        Assert.Equal(0, Cli("snapshot", "sync", "--data-dir", imported.Path, "--from-ledger", _source.Data.LedgerFile)); // nothing more: a no-op
        Assert.Equal(0, Cli("verify", "--data-dir", imported.Path));

        // The imported node is the validator now (the source is stopped: one signer per key).
        await using (var host = HostOn(imported))
        {
            await host.StartAsync();
            using var channel = NodeChannel.Create(host.Address);
            var deposit = LedgerHarness.Envelope(new Deposit { Account = ByteString.CopyFrom(_source.Chain.Alice.Address.Bytes), Amount = 9, Reference = "after the snapshot", Nonce = 901 }, _source.Chain.Operator);
            var committed = await channel.CommitAsync(deposit);
            Assert.Equal(ReasonCodes.Ok, committed.Result.Code);
            // Two more snapshot heights: the node keeps its newest Node:SnapshotsKept (2) state files, and the state the
            // chain starts from must survive that pruning (verify replays from it).
            ulong later = (committed.Height / 10 + 2) * 10;
            await WaitForCertificateAsync(imported.LedgerFile, later, TimeSpan.FromSeconds(60));
            await host.Snapshots.Idle();
        }
        Assert.Equal(0, Cli("verify", "--data-dir", imported.Path));
        using (var store = SqliteLedgerStore.Open(imported.LedgerFile)) output.WriteLine($"imported chain at height {store.Height}, verified from 10");

        // A backup of the imported node restores to one that verifies too: the state it starts from travels with it.
        string backup = Path.Combine(_work, "imported-backup.tar"), restored = Path.Combine(_work, "restored");
        Assert.Equal(0, Cli("backup", "--data-dir", imported.Path, "--to", backup));
        Assert.Equal(0, Cli("restore", "--from", backup, "--data-dir", restored));
        Assert.Equal(0, Cli("verify", "--data-dir", restored));
    }

    [Fact]
    public async Task Import_RefusesATamperedState_AnUntrustedValidatorSet_AndAUsedDirectory()
    {
        string archive = await ExportHeight10Async(untilHeight: 10);

        string tampered = Path.Combine(_work, "tampered.tar");
        Rewrite(archive, tampered, "snapshot.state", bytes => { bytes[^1] ^= 0x01; return bytes; });
        var rejected = Assert.Throws<SnapshotRejection>(() => SnapshotArchive.Import(tampered, _source.GenesisFile, new DataDirectory(Path.Combine(_work, "a")), "pw", null));
        Assert.Equal(SnapshotRejection.StateRootMismatch, rejected.Code);
        Assert.Contains("the state entries hash to state root", rejected.Message);
        Assert.False(Directory.Exists(Path.Combine(_work, "a")));
        // Through the CLI: one line starting with the code, exit 6.
        Assert.Equal(NodeExitCode.SnapshotRejected, Cli("snapshot", "import", "--from", tampered, "--genesis", _source.GenesisFile, "--data-dir", Path.Combine(_work, "a2"), "--password-file", WritePassword()));

        // A block replaced by one with another app hash: its commit no longer matches, nor its certificate.
        string forged = Path.Combine(_work, "forged.tar");
        Rewrite(archive, forged, "block.pb", bytes =>
        {
            var block = Block.Parser.ParseFrom(bytes);
            block.Header.TimeMs += 1;
            return block.ToByteArray();
        });
        rejected = Assert.Throws<SnapshotRejection>(() => SnapshotArchive.Import(forged, _source.GenesisFile, new DataDirectory(Path.Combine(_work, "f")), "pw", null));
        Assert.Equal((SnapshotRejection.NoQuorum, true), (rejected.Code, rejected.Message.Contains("has no commit for its hash", StringComparison.Ordinal)));

        // The attestations left out: the state root is certified by no one.
        string unattested = Path.Combine(_work, "unattested.tar");
        Rewrite(archive, unattested, "attestations.pb", _ => []);
        rejected = Assert.Throws<SnapshotRejection>(() => SnapshotArchive.Import(unattested, _source.GenesisFile, new DataDirectory(Path.Combine(_work, "u")), "pw", null));
        Assert.Equal(SnapshotRejection.NoQuorum, rejected.Code);
        Assert.Contains("the attestations of state root", rejected.Message);

        // Another genesis is another chain, whatever validators it names.
        var otherGenesis = _source.Chain.Document;
        otherGenesis.Validators = [new P2PEnergy.Node.Ledger.Genesis.GenesisValidator { Address = LedgerHarness.Key(77).Address.ToString(), Power = 1 }];
        string otherFile = Path.Combine(Path.GetDirectoryName(_source.GenesisFile)!, "other-genesis.json");
        File.WriteAllText(otherFile, otherGenesis.ToJson());
        rejected = Assert.Throws<SnapshotRejection>(() => SnapshotArchive.Import(archive, otherFile, new DataDirectory(Path.Combine(_work, "b")), "pw", null));
        Assert.Equal(SnapshotRejection.WrongChain, rejected.Code);

        string used = Path.Combine(_work, "used");
        Directory.CreateDirectory(used);
        File.WriteAllText(Path.Combine(used, "something"), "x");
        var error = Assert.Throws<NodeSetupException>(() => SnapshotArchive.Import(archive, _source.GenesisFile, new DataDirectory(used), "pw", null));
        Assert.Contains("is not empty", error.Message);

        // Export of a height that is not certified names why (one far beyond where the source stopped).
        error = Assert.Throws<NodeSetupException>(() => SnapshotArchive.Export(_source.Data, 100_000, Path.Combine(_work, "later.tar")));
        Assert.Contains("height 100000 is not a certified snapshot height", error.Message);
    }

    [Fact]
    public async Task Sync_RefusesABlockWhoseCommitIsNotForIt_AndAValidatorSignedBlockWithTheWrongAppHash()
    {
        string archive = await ExportHeight10Async(untilHeight: 12);
        var imported = new DataDirectory(Path.Combine(_work, "imported"));
        SnapshotArchive.Import(archive, _source.GenesisFile, imported, "pw", null);

        // Block 11 edited after it was committed: the commit signs another header.
        string edited = CopyLedger("edited", block => block.Header.TimeMs += 1);
        var rejected = Assert.Throws<SnapshotRejection>(() => SnapshotSync.CatchUp(imported, edited));
        Assert.Equal(SnapshotRejection.NoQuorum, rejected.Code);
        Assert.Contains("block 11 has no commit for its hash", rejected.Message);

        // Block 11 with another app hash, its commit re-signed by the validator itself: a quorum signed it, but it does not
        // execute to what it claims, so it is refused all the same.
        string forged = CopyLedger("forged", block =>
        {
            block.Header.AppHash = ByteString.CopyFrom(new byte[32]);
            var hash = P2PEnergy.Contracts.Ledger.BlockHeaderHashing.Hash(block.Header);
            block.Commit.BlockHash = ByteString.CopyFrom(hash.Bytes);
            var vote = new CommitVote { Height = 11, Round = block.Commit.Round, BlockHash = block.Commit.BlockHash, VoteType = VoteType.Precommit };
            block.Commit.Signatures[0].Signature = ByteString.CopyFrom(_source.Chain.Validator.Sign(P2PEnergy.Contracts.TypedData.LedgerTypedData.Digest(vote, block.Header.ChainId)).Bytes);
        });
        rejected = Assert.Throws<SnapshotRejection>(() => SnapshotSync.CatchUp(imported, forged));
        Assert.Equal(SnapshotRejection.AppHashMismatch, rejected.Code);
        Assert.StartsWith("SNAPSHOT_APP_HASH_MISMATCH: block 11 executes to app hash", rejected.Message);

        // Nothing of either was written; the true ledger still syncs.
        using (var store = SqliteLedgerStore.Open(imported.LedgerFile)) Assert.Equal(10UL, store.Height);
        Assert.True(SnapshotSync.CatchUp(imported, _source.Data.LedgerFile).Last >= 12);
        Assert.Equal(0, Cli("verify", "--data-dir", imported.Path));
    }

    /// <summary>A copy of the (stopped) source's ledger with block 11 changed by <paramref name="change"/>.</summary>
    private string CopyLedger(string name, Action<Block> change)
    {
        string directory = Directory.CreateDirectory(Path.Combine(_work, name)).FullName;
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            if (File.Exists(_source.Data.LedgerFile + suffix)) File.Copy(_source.Data.LedgerFile + suffix, Path.Combine(directory, "ledger.db" + suffix));
        string ledger = Path.Combine(directory, "ledger.db");
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={ledger};Pooling=false");
        connection.Open();
        using var read = connection.CreateCommand();
        read.CommandText = "SELECT block FROM blocks WHERE height = 11";
        var block = Block.Parser.ParseFrom((byte[])read.ExecuteScalar()!);
        change(block);
        using var write = connection.CreateCommand();
        write.CommandText = "UPDATE blocks SET block = $block WHERE height = 11";
        write.Parameters.AddWithValue("$block", block.ToByteArray());
        Assert.Equal(1, write.ExecuteNonQuery());
        return ledger;
    }

    [Fact]
    public async Task Import_RefusesASnapshotWhoseValidatorsAreNotTheGenesisSet_TheWeakSubjectivityRoot_AndImportsItAgainstATrustedCurrentSet()
    {
        using var source = new NodeDirectory(configure: genesis => genesis.SnapshotIntervalBlocks = 10);
        string archive = Path.Combine(_work, "changed-set.tar");
        ulong snapshotHeight;
        await using (var host = source.CreateHost(heartbeatMs: 50, settings: KeepAll))
        {
            await host.StartAsync();
            using var channel = NodeChannel.Create(host.Address);
            // The validator authority (the utility) doubles the validator's power: in force from two blocks later, so the
            // first snapshot height at or after that records the changed set (the node keeps committing meanwhile).
            var set = new SetValidatorSet { Validators = { new ValidatorEntry { Validator = ByteString.CopyFrom(source.Chain.Validator.Address.Bytes), Power = 2 } }, Nonce = 1 };
            var committed = await channel.CommitAsync(LedgerHarness.Envelope(set, source.Chain.Utility));
            Assert.Equal(ReasonCodes.Ok, committed.Result.Code);
            snapshotHeight = (committed.Height + 2 + 9) / 10 * 10;
            await WaitForCertificateAsync(source.Data.LedgerFile, snapshotHeight, TimeSpan.FromSeconds(60));
            await host.Snapshots.Idle();
            SnapshotArchive.Export(source.Data, snapshotHeight, archive);
        }
        var error = Assert.Throws<SnapshotRejection>(() => SnapshotArchive.Import(archive, source.GenesisFile, new DataDirectory(Path.Combine(_work, "c")), "pw", null));
        Assert.Equal(SnapshotRejection.UntrustedValidators, error.Code);
        Assert.Contains($"the validators in force at height {snapshotHeight} ({source.Chain.Validator.Address}:2) are not the set {source.GenesisFile} names", error.Message);
        Assert.Contains("--trusted-validators", error.Message);

        // The set in force now, taken from operators the importer trusts, is the trust root instead: the same snapshot imports.
        string trusted = Path.Combine(_work, "trusted-validators.json"), imported = Path.Combine(_work, "trusted");
        // (In the shape `p2pe status --json` prints: its other fields are ignored.)
        File.WriteAllText(trusted, $$"""{"chainId": 4242, "height": {{snapshotHeight}}, "validators": [{"address": "{{source.Chain.Validator.Address}}", "power": 2, "operator": "", "role": "", "signedLastBlock": true}]}""");
        Assert.Equal(0, Cli("snapshot", "import", "--from", archive, "--genesis", source.GenesisFile, "--data-dir", imported, "--observer", "--trusted-validators", trusted));
        using (var store = SqliteLedgerStore.Open(Path.Combine(imported, "ledger.db"))) Assert.Equal(snapshotHeight, store.Height);
        Assert.Equal(0, Cli("verify", "--data-dir", imported));

        // A trusted set that is not the one in force at the height (here the genesis power) is refused like the genesis set.
        string stale = Path.Combine(_work, "stale-validators.json");
        File.WriteAllText(stale, $$"""{"validators": [{"address": "{{source.Chain.Validator.Address}}", "power": 1}]}""");
        error = Assert.Throws<SnapshotRejection>(() => SnapshotArchive.Import(archive, source.GenesisFile, new DataDirectory(Path.Combine(_work, "d")), "", null, observer: true, trustedValidatorsFile: stale));
        Assert.Equal(SnapshotRejection.UntrustedValidators, error.Code);
        Assert.Contains($"are not the set {stale} names", error.Message);
        Assert.False(Directory.Exists(Path.Combine(_work, "d")));

        // A file that names no usable set is refused before anything is read from the snapshot, naming the entry and why.
        foreach (var (json, why) in new[]
        {
            ("""{"validators": [{"address": "0x12", "power": 1}]}""", "validators[0]: address '0x12'"),
            ($$"""{"validators": [{"address": "{{source.Chain.Validator.Address}}", "power": 0}]}""", "validators[0]: power must be a whole number from 1"),
            ($$"""{"validators": [{"address": "{{source.Chain.Validator.Address}}", "power": 1}, {"address": "{{source.Chain.Validator.Address}}", "power": 1}]}""", "is listed twice"),
            ("""{"validators": []}""", "the trusted validator set is empty"),
            ("""[1, 2]""", "expected {\"validators\""),
        })
        {
            File.WriteAllText(stale, json);
            var bad = Assert.Throws<NodeSetupException>(() => SnapshotArchive.Import(archive, source.GenesisFile, new DataDirectory(Path.Combine(_work, "e")), "", null, observer: true, trustedValidatorsFile: stale));
            Assert.Contains(why, bad.Message);
        }
    }

    /// <summary>Runs the source until height 10 is certified and <paramref name="untilHeight"/> committed; exports 10.</summary>
    private async Task<string> ExportHeight10Async(ulong untilHeight)
    {
        string archive = Path.Combine(_work, "snapshot-10.tar");
        await using var host = _source.CreateHost(heartbeatMs: 50, settings: KeepAll);
        await host.StartAsync();
        await WaitForCertificateAsync(_source.Data.LedgerFile, 10, TimeSpan.FromSeconds(60));
        await host.Snapshots.Idle();
        SnapshotArchive.Export(_source.Data, 10, archive);
        for (ulong height = 0; height < untilHeight; await Task.Delay(50))
            using (var read = StateSnapshot.Open(_source.Data.LedgerFile)) height = read.Height;
        return archive;
    }

    private string WritePassword()
    {
        string path = Path.Combine(_work, "password.txt");
        File.WriteAllText(path, NodeDirectory.Password + "\n");
        return path;
    }

    internal static async Task WaitForCertificateAsync(string ledgerFile, ulong height, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            using (var read = StateSnapshot.Open(ledgerFile))
                if (read.Get(StateKeys.SnapshotCertificate(height)) is not null) return;
            await Task.Delay(100);
        }
        throw new TimeoutException($"height {height} was not certified within {limit}");
    }

    private static void Rewrite(string from, string to, string name, Func<byte[], byte[]> change)
    {
        using var input = File.OpenRead(from);
        using var reader = new TarReader(input);
        using var output = File.Create(to);
        using var writer = new TarWriter(output, TarEntryFormat.Pax);
        while (reader.GetNextEntry(copyData: true) is { } entry)
        {
            var data = new MemoryStream();
            entry.DataStream!.CopyTo(data);
            var bytes = entry.Name == name ? change(data.ToArray()) : data.ToArray();
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, entry.Name) { DataStream = new MemoryStream(bytes) });
        }
    }

    /// <summary>A host on an existing data directory of the harness chain (the imported one).</summary>
    private static NodeHost HostOn(DataDirectory data) => NodeHost.Create(
        new Dictionary<string, string?> { ["Node:DataDir"] = data.Path, ["Node:Api:Port"] = "0", ["Node:HeartbeatMs"] = "50" },
        NodeDirectory.Password, new ShiftedClock(LedgerHarness.Genesis.AddSeconds(10)));
}
