using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.ProcessState;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Ledger.Genesis;
using P2PEnergy.Node.Ledger.State;
using P2PEnergy.Node.Storage;
using P2PEnergy.Node.Tests.Ledger;
using P2PEnergy.Node.Tests.Support;
using P2PEnergy.Contracts.Ledger;

namespace P2PEnergy.Node.Tests.ProcessState;

/// <summary>
/// The mempool's verdicts, one per reason code of DESIGN.md rule 4, and its stateful door (issue 12 item 4): signers
/// are checked against the last committed state before anything takes block space.
/// </summary>
public sealed class MempoolTests
{
    private readonly LedgerHarness _chain = new();
    private readonly MemoryLedgerStore _store = new();
    private long _lastBlockTimeMs;

    public MempoolTests()
    {
        var (changes, appHash) = GenesisState.Build(_chain.Document);
        _store.InitializeGenesis(Hash32.Zero, changes, appHash);
        _lastBlockTimeMs = _chain.Parameters.GenesisTimeMs;
    }

    private Mempool Create(int maxTransactions = 100, long maxBytes = 1 << 20)
        => new(new TransactionVerifier(LedgerHarness.ChainId, Secp256k1.Default, 4096), _chain.Parameters, _store, () => _lastBlockTimeMs, maxTransactions, maxBytes);

    private byte[] Admit(ulong nonce, ulong chainId = LedgerHarness.ChainId)
        => LedgerHarness.Envelope(new Admit { Account = ByteString.CopyFrom(_chain.Carol.Address.Bytes), Role = "Consumer", Name = "Carol", Nonce = nonce }, chainId, _chain.Operator).ToByteArray();

    [Fact]
    public void Valid_IsAccepted_AndReapedInFifoOrder()
    {
        var pool = Create();
        var first = pool.Submit(Admit(1));
        var second = pool.Submit(Admit(2));
        Assert.True(first.Accepted);
        Assert.Equal(ReasonCodes.Ok, second.Code);
        Assert.Equal([first.TransactionId, second.TransactionId], pool.Reap(10, 1 << 20).Select(t => t.Id));
        Assert.Single(pool.Reap(1, 1 << 20));
        pool.Remove([first.TransactionId]);
        Assert.Equal(second.TransactionId, Assert.Single(pool.Reap(10, 1 << 20)).Id);
        Assert.Equal(pool.Reap(10, 1 << 20)[0].Bytes.Length, pool.Bytes);
    }

    [Fact]
    public void CommittedBetweenTheDoorCheckAndTheQueue_IsRefusedAsDuplicate_NotQueued()
    {
        // The door checks outside the mempool's lock; a peer's block carrying the same transaction can commit (and its
        // Remove find nothing to remove) before the transaction is queued. Queued, it would linger and later take block
        // space as a refused duplicate, reported by the block stream at a second height.
        var envelope = Admit(1);
        var id = TransactionId.Of(envelope);
        var store = CommitsOnFirstLookup.Wrap(_store, id, () => Storage.TestChain.Next(_store, [], envelope).CommitTo(_store));
        var pool = new Mempool(new TransactionVerifier(LedgerHarness.ChainId, Secp256k1.Default, 4096), _chain.Parameters, store, () => _lastBlockTimeMs);

        var verdict = pool.Submit(envelope);

        Assert.Equal(ReasonCodes.Duplicate, verdict.Code);
        Assert.Contains("already committed at height 1", verdict.Message);
        Assert.Equal(0, pool.Count);
        Assert.Empty(pool.Reap(10, 1 << 20));
    }

    /// <summary>A store that commits a block holding <c>id</c> right after its first FindTransaction(id) answered "not found".</summary>
    public class CommitsOnFirstLookup : System.Reflection.DispatchProxy
    {
        private ILedgerStore _inner = null!;
        private Hash32 _id;
        private Action? _commit;

        public static ILedgerStore Wrap(ILedgerStore inner, Hash32 id, Action commit)
        {
            var proxy = Create<ILedgerStore, CommitsOnFirstLookup>();
            var self = (CommitsOnFirstLookup)(object)proxy;
            (self._inner, self._id, self._commit) = (inner, id, commit);
            return proxy;
        }

        protected override object? Invoke(System.Reflection.MethodInfo? method, object?[]? args)
        {
            var result = method!.Invoke(_inner, args);
            if (method.Name == nameof(ILedgerStore.FindTransaction) && args is [Hash32 id] && id == _id && _commit is { } commit)
            {
                _commit = null;
                commit();
            }
            return result;
        }
    }

    [Fact]
    public void Garbage_IsMalformed() => Assert.Equal(ReasonCodes.Malformed, Create().Submit([0xff, 0xff, 0xff]).Code);

    [Fact]
    public void OtherChain_IsWrongChain() => Assert.Equal(ReasonCodes.WrongChain, Create().Submit(Admit(1, chainId: 7)).Code);

    [Fact]
    public void Unsigned_IsBadSignature()
    {
        var tx = new Transaction { ChainId = LedgerHarness.ChainId, Admit = new Admit { Account = ByteString.CopyFrom(_chain.Carol.Address.Bytes), Role = "Consumer", Nonce = 1 } };
        Assert.Equal(ReasonCodes.BadSignature, Create().Submit(tx.ToByteArray()).Code);
    }

    [Fact]
    public void Oversized_IsTooLarge() => Assert.Equal(ReasonCodes.TooLarge, Create().Submit(new byte[5000]).Code);

    [Fact]
    public void SecondSubmission_IsDuplicate()
    {
        var pool = Create();
        pool.Submit(Admit(1));
        Assert.Equal(ReasonCodes.Duplicate, pool.Submit(Admit(1)).Code);
    }

    [Fact]
    public void Committed_IsDuplicate()
    {
        var bytes = Admit(1);
        var id = Contracts.Ledger.TransactionId.Of(bytes);
        _store.Commit(new Block { Header = new BlockHeader { Height = 1 } }, Hash32.Zero, [new TransactionResult { TransactionId = ByteString.CopyFrom(id.Bytes), Code = ReasonCodes.Ok }], [], Hash32.Zero);
        var verdict = Create().Submit(bytes);
        Assert.Equal(ReasonCodes.Duplicate, verdict.Code);
        Assert.Contains("height 1", verdict.Message);
    }

    // Counts recoveries: a relayed duplicate must be refused without one.
    private sealed class CountingSecp256k1 : ISecp256k1
    {
        private int _recoveries;
        public int Recoveries => Volatile.Read(ref _recoveries);
        public string Name => "counting";
        public Signature Sign(ReadOnlySpan<byte> digest32, ReadOnlySpan<byte> privateKey32) => Secp256k1.Default.Sign(digest32, privateKey32);
        public byte[] PublicKey(ReadOnlySpan<byte> privateKey32) => Secp256k1.Default.PublicKey(privateKey32);
        public bool Verify(ReadOnlySpan<byte> digest32, Signature signature, ReadOnlySpan<byte> publicKey64) => Secp256k1.Default.Verify(digest32, signature, publicKey64);

        public byte[] RecoverPublicKey(ReadOnlySpan<byte> digest32, Signature signature)
        {
            Interlocked.Increment(ref _recoveries);
            return Secp256k1.Default.RecoverPublicKey(digest32, signature);
        }

        public void RecoverPublicKey(ReadOnlySpan<byte> digest32, Signature signature, Span<byte> publicKey64)
            => RecoverPublicKey(digest32, signature).CopyTo(publicKey64);
    }

    [Fact]
    public void RelayedCopy_OfACommittedOrPendingTransaction_IsDuplicate_WithoutRecoveringItsSignaturesAgain()
    {
        var secp = new CountingSecp256k1();
        var pool = new Mempool(new TransactionVerifier(LedgerHarness.ChainId, secp, 4096), _chain.Parameters, _store, () => _lastBlockTimeMs);
        var committed = Admit(1);
        _store.Commit(new Block { Header = new BlockHeader { Height = 1 } }, Hash32.Zero,
            [new TransactionResult { TransactionId = ByteString.CopyFrom(Contracts.Ledger.TransactionId.Of(committed).Bytes), Code = ReasonCodes.Ok }], [], Hash32.Zero);
        var pending = Admit(2);
        Assert.True(pool.Submit(pending).Accepted);
        int afterSubmission = secp.Recoveries;
        Assert.True(afterSubmission > 0);

        var verdicts = pool.Submit([committed, pending], relayed: true);

        Assert.Equal([ReasonCodes.Duplicate, ReasonCodes.Duplicate], verdicts.Select(v => v.Code));
        Assert.Contains("already committed at height 1", verdicts[0].Message);
        Assert.Contains("already pending", verdicts[1].Message);
        Assert.Equal(afterSubmission, secp.Recoveries);
        // A client's copy still gets every check in the door's order (same verdict here, after its recovery).
        Assert.Equal(ReasonCodes.Duplicate, pool.Submit(committed).Code);
        Assert.True(secp.Recoveries > afterSubmission);
    }

    [Fact]
    public void PastValidUntil_IsExpired()
    {
        var contract = _chain.Contract(_chain.Alice, _chain.Bob);
        _lastBlockTimeMs += 7200_000; // two hours after the contract's one-hour validity started
        var verdict = Create().Submit(LedgerHarness.Envelope(contract, _chain.Alice, _chain.Bob).ToByteArray());
        Assert.Equal(ReasonCodes.Expired, verdict.Code);
    }

    [Fact]
    public void OverCountOrBytes_IsMempoolFull()
    {
        var byCount = Create(maxTransactions: 1);
        byCount.Submit(Admit(1));
        Assert.Equal(ReasonCodes.MempoolFull, byCount.Submit(Admit(2)).Code);
        var byBytes = Create(maxBytes: Admit(1).Length + 10);
        byBytes.Submit(Admit(1));
        Assert.Equal(ReasonCodes.MempoolFull, byBytes.Submit(Admit(2)).Code);
    }

    [Fact]
    public void ABatch_GetsOneVerdictPerEnvelope_InOrder_AsEachSubmittedAlone_AndRaisesAdmittedForEachAccepted()
    {
        var pool = Create(maxTransactions: 3);
        var admitted = new List<(Hash32 Id, bool Relayed)>();
        var refused = new List<string>();
        int accepted = 0;
        pool.Admitted += (tx, relayed) => admitted.Add((tx.Id, relayed));
        pool.Refused += refused.Add;
        pool.Accepted += () => accepted++;
        pool.Submit(Admit(1));

        var verdicts = pool.Submit([Admit(2), [0xff, 0xff], Admit(2), Admit(1), Admit(3), Admit(4)], relayed: true);

        Assert.Equal([ReasonCodes.Ok, ReasonCodes.Malformed, ReasonCodes.Duplicate, ReasonCodes.Duplicate, ReasonCodes.Ok, ReasonCodes.MempoolFull], verdicts.Select(v => v.Code));
        Assert.Equal([TransactionId.Of(Admit(1)), TransactionId.Of(Admit(2)), TransactionId.Of(Admit(3))], pool.Reap(10, 1 << 20).Select(t => t.Id));
        Assert.Equal([(TransactionId.Of(Admit(1)), false), (TransactionId.Of(Admit(2)), true), (TransactionId.Of(Admit(3)), true)], admitted);
        Assert.Equal([ReasonCodes.Malformed, ReasonCodes.Duplicate, ReasonCodes.Duplicate, ReasonCodes.MempoolFull], refused);
        Assert.Equal(2, accepted);
    }

    [Fact]
    public async Task ConcurrentSubmissions_KeepCountsConsistent()
    {
        var pool = Create(maxTransactions: 1000);
        var txs = Enumerable.Range(1, 64).Select(n => Admit((ulong)n)).ToList();
        await Task.WhenAll(txs.Select(t => Task.Run(() => pool.Submit(t))));
        Assert.Equal(64, pool.Count);
        Assert.Equal(txs.Sum(t => (long)t.Length), pool.Bytes);
    }

    private MempoolVerdict Refused(Mempool pool, Transaction tx, string code)
    {
        var verdict = pool.Submit(tx.ToByteArray());
        Assert.True(verdict.Code == code, $"expected {code}, got {verdict.Code}: {verdict.Message}");
        Assert.Equal(0, pool.Count);
        return verdict;
    }

    /// <summary>Commits (as the node would) a block in which every member delegates to the harness aggregator.</summary>
    private void DelegateToAggregator(params PrivateKey[] members)
    {
        var changes = members.Select(member =>
        {
            var account = AccountState.Parser.ParseFrom(_store.Get(StateKeys.Account(member.Address)));
            account.Aggregators.Add(ByteString.CopyFrom(_chain.Aggregator.Address.Bytes));
            return new StateChange(StateKeys.Account(member.Address), account.ToByteArray());
        }).OrderBy(c => c.Key, StringComparer.Ordinal).ToList();
        _store.Commit(new Block { Header = new BlockHeader { Height = _store.Height + 1 } }, Hash32.Zero, [], changes, Hash32.Zero);
    }

    [Fact]
    public void ContractTheBuyerDidNotSign_IsBadSignatureAtTheDoor_AndTakesNoBlockSpace()
    {
        var verdict = Refused(Create(), LedgerHarness.Envelope(_chain.Contract(_chain.Alice, _chain.Bob), _chain.Alice, _chain.Stranger), ReasonCodes.BadSignature);
        Assert.Contains($"buyer {_chain.Bob.Address}", verdict.Message);
    }

    [Fact]
    public void ContractSignedByTheDelegatedAggregator_IsAccepted_AndAStrangersExtraSignatureIsNotAParty()
    {
        DelegateToAggregator(_chain.Alice, _chain.Bob);
        var pool = Create();
        Assert.True(pool.Submit(LedgerHarness.Envelope(_chain.Contract(_chain.Alice, _chain.Bob, nonce: 1), _chain.Aggregator).ToByteArray()).Accepted);
        var verdict = pool.Submit(LedgerHarness.Envelope(_chain.Contract(_chain.Alice, _chain.Bob, nonce: 2), _chain.Aggregator, _chain.Stranger).ToByteArray());
        Assert.Equal(ReasonCodes.NotAParty, verdict.Code);
        Assert.Contains(_chain.Stranger.Address.ToString(), verdict.Message);
        Assert.Equal(1, pool.Count);
    }

    [Fact]
    public void OnePool_ChecksSignersAgainstEachNewBlocksState()
    {
        // The door's signer rules share one context per block: a block that changes who may sign must reach the same pool.
        var pool = Create();
        Assert.Equal(ReasonCodes.BadSignature, pool.Submit(LedgerHarness.Envelope(_chain.Contract(_chain.Alice, _chain.Bob, nonce: 1), _chain.Aggregator).ToByteArray()).Code);
        DelegateToAggregator(_chain.Alice, _chain.Bob);
        Assert.True(pool.Submit(LedgerHarness.Envelope(_chain.Contract(_chain.Alice, _chain.Bob, nonce: 2), _chain.Aggregator).ToByteArray()).Accepted);
    }

    [Fact]
    public void AggregatorWithoutDelegation_IsBadSignatureAtTheDoor()
        => Refused(Create(), LedgerHarness.Envelope(_chain.Contract(_chain.Alice, _chain.Bob), _chain.Aggregator), ReasonCodes.BadSignature);

    [Fact]
    public void PartyNotAdmitted_IsNotAdmittedAtTheDoor()
        => Refused(Create(), LedgerHarness.Envelope(_chain.Contract(_chain.Alice, _chain.Stranger), _chain.Alice, _chain.Stranger), ReasonCodes.NotAdmitted);

    [Fact]
    public void EveryAuthorityKind_SignedByAnyoneButItsAuthority_IsUnauthorizedAtTheDoor()
    {
        var carol = ByteString.CopyFrom(_chain.Carol.Address.Bytes);
        ulong future = (ulong)(_chain.Parameters.GenesisTimeMs / 1000) + 10 * LedgerHarness.Interval;
        var bodies = new (IMessage Body, PrivateKey Authority)[]
        {
            (new Admit { Account = carol, Role = "Consumer", Nonce = 1 }, _chain.Operator),
            (new Suspend { Account = carol, Suspended = true, Nonce = 1 }, _chain.Operator),
            (new Deposit { Account = carol, Amount = 1, Nonce = 1 }, _chain.Operator),
            (new Withdraw { Account = carol, Amount = 1, Nonce = 1 }, _chain.Operator),
            (new SetDmoFees { EffectiveFrom = future, Nonce = 1 }, _chain.Operator),
            (new RegisterMeter { Meter = "MTR-C", Owner = carol, GridNode = "SP1", Device = carol, Nonce = 1 }, _chain.Utility),
            (new SetGridFees { EffectiveFrom = future, Nonce = 1 }, _chain.Utility),
            (new SetPolrTariff { EffectiveFrom = future, Nonce = 1 }, _chain.Utility),
            (new UpdateGridModel { ModelHash = ByteString.CopyFrom(new byte[32]), EffectiveFrom = future, Nonce = 1 }, _chain.Utility),
            (new SetBaseline { IntervalStart = future, IntervalCount = 1, Nonce = 1 }, _chain.Planner),
            (new SetValidatorSet { Validators = { new ValidatorEntry { Validator = carol, Power = 1 } }, Nonce = 1 }, _chain.Utility),
        };
        foreach (var (body, authority) in bodies)
        {
            foreach (var impostor in new[] { _chain.Alice, _chain.Stranger, _chain.Regulator })
                Assert.Contains(authority.Address.ToString(), Refused(Create(), LedgerHarness.Envelope(body, impostor), ReasonCodes.Unauthorized).Message);
            Assert.True(Create().Submit(LedgerHarness.Envelope(body, authority).ToByteArray()).Accepted, body.Descriptor.Name);
        }
    }

    [Fact]
    public void DelegationSignedByTheAggregatorInsteadOfTheMember_IsUnauthorizedAtTheDoor()
    {
        var delegation = new Contracts.Protos.Delegate { Member = ByteString.CopyFrom(_chain.Alice.Address.Bytes), Aggregator = ByteString.CopyFrom(_chain.Aggregator.Address.Bytes), Active = true, Nonce = 1 };
        Refused(Create(), LedgerHarness.Envelope(delegation, _chain.Aggregator), ReasonCodes.Unauthorized);
        Assert.True(Create().Submit(LedgerHarness.Envelope(delegation, _chain.Alice).ToByteArray()).Accepted);
    }

    [Fact]
    public void MeterReading_NotByTheDeviceKey_IsUnauthorized_AndBeyondTheMetersLimit_IsReadingOutOfRange()
    {
        var reading = new MeterReading { Meter = "MTR-A", IntervalStart = LedgerHarness.Interval, ExportWh = 2_500 };
        Refused(Create(), LedgerHarness.Envelope(reading, _chain.Alice), ReasonCodes.Unauthorized);
        Assert.True(Create().Submit(LedgerHarness.Envelope(reading, _chain.AliceDevice).ToByteArray()).Accepted);
        // 10,000 W × 900 s = 2,500 Wh: one more Wh is more than the connection can carry in the interval.
        reading.ExportWh = 2_501;
        var verdict = Refused(Create(), LedgerHarness.Envelope(reading, _chain.AliceDevice), ReasonCodes.ReadingOutOfRange);
        Assert.Contains("2500 Wh", verdict.Message);
        Assert.Contains("10000 W", verdict.Message);
    }
}
