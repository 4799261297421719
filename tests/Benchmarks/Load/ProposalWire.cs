using System.Diagnostics;
using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Node.Consensus.Wal;

namespace P2PEnergy.Benchmarks.Load;

/// <summary>
/// What a proposal that carries its block's transactions costs per contract, in process and single-threaded, besides
/// execution: the proposer's serialization of the peer frame (once per peer), a receiver's parse of it, its
/// write-ahead-log record (serialized and checksummed; the write and fsync not counted), and ProposalCheck's per
/// transaction copy, id hash and byte comparison with the mempool's copy. This is the most that proposals of
/// transaction ids instead of bytes could save (they would still need the WAL record of the whole block, for replay).
/// <c>dotnet run -c Release --project tests/Benchmarks -- proposal-wire [--block-size N] [--rounds R]</c>
/// </summary>
public static class ProposalWire
{
    public static int Run(string[] args)
    {
        int size = CommandLineArgs.Int(args, "--block-size", 5_000), rounds = CommandLineArgs.Int(args, "--rounds", 20);
        var recoverUs = 1e6 / RecoverCeiling.RecoversPerSecond(TimeSpan.FromSeconds(2)) * Environment.ProcessorCount;
        var keys = Enumerable.Range(0, 50).Select(i => (NodeUnderLoad.Key($"seller-{i}"), NodeUnderLoad.Key($"buyer-{i}"))).ToList();
        var envelopes = NodeUnderLoad.SignContracts(keys, size);
        var byId = envelopes.ToDictionary(e => TransactionId.Of(e), e => e);
        var block = new Block { Header = new BlockHeader { ChainId = NodeUnderLoad.ChainId, Height = 2 } };
        block.Transactions.AddRange(envelopes.Select(ByteString.CopyFrom));
        var frame = new PeerFrame
        {
            Consensus = new ConsensusMessage
            {
                Proposal = new ProposalMessage { Block = block, Signature = ByteString.CopyFrom(new byte[65]), Proposer = ByteString.CopyFrom(new byte[20]) },
            },
        };
        long serialize = 0, parse = 0, wal = 0, check = 0, hash = 0;
        for (int r = 0; r < rounds + 1; r++)
        {
            var clock = Stopwatch.StartNew();
            var bytes = frame.ToByteArray();
            long s = clock.ElapsedTicks;
            clock.Restart();
            var received = PeerFrame.Parser.ParseFrom(bytes);
            long p = clock.ElapsedTicks;
            clock.Restart();
            var record = new WalRecord { Proposal = new WalProposal { Message = received.Consensus.Proposal, Timely = true } };
            var logged = WalFrames.Frame(record.ToByteArray());
            long w = clock.ElapsedTicks;
            clock.Restart();
            int same = 0;
            foreach (var transaction in received.Consensus.Proposal.Block.Transactions)
            {
                var envelope = transaction.ToByteArray();
                if (byId.TryGetValue(TransactionId.Of(envelope), out var held) && held.AsSpan().SequenceEqual(envelope)) same++;
            }
            long c = clock.ElapsedTicks;
            clock.Restart();
            foreach (var transaction in received.Consensus.Proposal.Block.Transactions) TransactionId.Of(transaction.Span);
            long h = clock.ElapsedTicks;
            if (same != size || logged.Length < bytes.Length) throw new InvalidOperationException("the round trip lost transactions");
            if (r == 0) continue; // the first round JITs
            (serialize, parse, wal, check, hash) = (serialize + s, parse + p, wal + w, check + c, hash + h);
        }
        double Us(long ticks) => ticks * 1e6 / Stopwatch.Frequency / rounds / size;
        Console.WriteLine($"proposal-wire: {size:N0} contracts per block ({block.CalculateSize() / (double)size:F0} bytes each on the wire), {rounds} rounds; one native recover = {recoverUs:F1} µs");
        foreach (var (name, us) in new[] { ("serialize (per peer sent to)", Us(serialize)), ("parse (receiver)", Us(parse)), ("WAL record + CRC (receiver)", Us(wal)), ("copy + id + compare (receiver's check)", Us(check)),
                     ("  of which the id (keccak256)", Us(hash)) })
            Console.WriteLine($"  {name,-40} {us,6:F2} µs per contract = {us / recoverUs:F3} recovers");
        return 0;
    }
}
