using P2PEnergy.Contracts.Ledger;
using Google.Protobuf;
using Grpc.Core;
using P2PEnergy.Anchor.Proofs;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;
using P2PEnergy.Node.Api;
using P2PEnergy.Node.Consensus;
using P2PEnergy.Node.Ledger.Execution;
using P2PEnergy.Node.Tests.Ledger;
using P2PEnergy.Node.Tests.Support;

namespace P2PEnergy.Node.Tests.Anchoring;

/// <summary>Proofs built from what a single validator's node committed verify offline, across a validator-set change too.</summary>
public sealed class ContractProofBuilderTests
{
    private static Hash32 CommitContract(TestNode node)
    {
        node.CommitNext(); // block 1, empty
        var terms = node.Chain.Contract(node.Chain.Alice, node.Chain.Bob);
        foreach (var n in new ulong[] { 1, 2 })
            node.Mempool.Submit(LedgerHarness.Envelope(new Admit { Account = ByteString.CopyFrom(PrivateKey.Generate().Address.Bytes), Role = "Consumer", Name = $"C{n}", Nonce = n }, node.Chain.Operator).ToByteArray());
        Assert.Equal("OK", node.Mempool.Submit(LedgerHarness.Envelope(terms, node.Chain.Alice, node.Chain.Bob).ToByteArray()).Code);
        var block = node.CommitNext()!; // block 2: two admits and the contract
        Assert.All(block.Results, r => Assert.Equal(ReasonCodes.Ok, r.Code));
        for (int i = 0; i < 3; i++) node.CommitNext();
        return LedgerTypedData.Digest(terms, LedgerHarness.ChainId);
    }

    [Fact]
    public void ProofOfACommittedContract_VerifiesOffline()
    {
        var node = new TestNode();
        var id = CommitContract(node);
        var proof = ContractProofBuilder.Build(node.Store, node.Chain.Parameters, id, 0, 0, "");
        Assert.Equal([2UL, 3, 4, 5], proof.Headers.Select(b => b.Header.Height));
        Assert.All(proof.Headers, b => Assert.Empty(b.Transactions));
        var verdict = ProofVerifier.Verify(ProofJson.Read(ProofJson.Write(proof)));
        Assert.True(verdict.Holds, verdict.Message);
        Assert.Contains(verdict.Facts, f => f.Contains("is number 2 of 3 in block 2"));
    }

    [Fact]
    public void ToHeight_DefaultsToTheAnchoredCheckpoint_WhenItIsAtOrAfterTheContract()
    {
        var node = new TestNode();
        var id = CommitContract(node);
        Assert.Equal(4UL, ContractProofBuilder.Build(node.Store, node.Chain.Parameters, id, 0, 4, "0xabc").Headers[^1].Header.Height);
        Assert.Equal(5UL, ContractProofBuilder.Build(node.Store, node.Chain.Parameters, id, 0, 1, "0xabc").Headers[^1].Header.Height);
        Assert.Equal(3UL, ContractProofBuilder.Build(node.Store, node.Chain.Parameters, id, 3, 4, "0xabc").Headers[^1].Header.Height);
    }

    [Fact]
    public void UnknownContract_AndHeightsOutsideTheChain_AreRefusedWithReasons()
    {
        var node = new TestNode();
        var id = CommitContract(node);
        var unknown = Assert.Throws<RpcException>(() => ContractProofBuilder.Build(node.Store, node.Chain.Parameters, Keccak256.Hash("nothing"u8), 0, 0, ""));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        foreach (ulong to in new ulong[] { 1, 6 })
        {
            var range = Assert.Throws<RpcException>(() => ContractProofBuilder.Build(node.Store, node.Chain.Parameters, id, to, 0, ""));
            Assert.Equal(StatusCode.OutOfRange, range.StatusCode);
            Assert.Contains($"to_height {to} must lie in [2, 5]", range.Status.Detail);
        }
    }

    [Fact]
    public void ValidatorSetChange_HeadersHandOver_AndTheProofListsBothSets()
    {
        var node = new TestNode();
        node.CommitNext(); // 1
        var change = new SetValidatorSet { Nonce = 1, Validators = { new ValidatorEntry { Validator = ByteString.CopyFrom(node.Chain.Validator.Address.Bytes), Power = 3 } } };
        Assert.Equal("OK", node.Mempool.Submit(LedgerHarness.Envelope(change, node.Chain.Utility).ToByteArray()).Code);
        node.CommitNext(); // 2: in force from 4
        var terms = node.Chain.Contract(node.Chain.Alice, node.Chain.Bob);
        node.Mempool.Submit(LedgerHarness.Envelope(terms, node.Chain.Alice, node.Chain.Bob).ToByteArray());
        node.CommitNext(); // 3: the contract; its header hands over to the new set
        node.CommitNext(); // 4: signed by the new set
        var genesisSet = ValidatorSetHash.Of(node.Chain.Parameters.Validators);
        var newSet = Contracts.Ledger.ValidatorSetHashing.Of([(node.Chain.Validator.Address, 3L)]);
        var h2 = node.Store.GetBlock(2)!.Header;
        var h3 = node.Store.GetBlock(3)!.Header;
        var h4 = node.Store.GetBlock(4)!.Header;
        Assert.Equal(genesisSet.ToArray(), h2.NextValidatorSetHash.ToByteArray());
        Assert.Equal((genesisSet, newSet), (Hash32.FromBytes(h3.ValidatorSetHash.Span), Hash32.FromBytes(h3.NextValidatorSetHash.Span)));
        Assert.Equal((newSet, newSet), (Hash32.FromBytes(h4.ValidatorSetHash.Span), Hash32.FromBytes(h4.NextValidatorSetHash.Span)));
        var proof = ContractProofBuilder.Build(node.Store, node.Chain.Parameters, LedgerTypedData.Digest(terms, LedgerHarness.ChainId), 0, 0, "");
        Assert.Equal(2, proof.ValidatorSets.Count);
        var verdict = ProofVerifier.Verify(proof);
        Assert.True(verdict.Holds, verdict.Message);
    }
}
