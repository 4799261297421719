using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using Grpc.Core;
using Grpc.Net.Client;
using P2PEnergy.Contracts.Api;
using P2PEnergy.Node.Api;

namespace P2PEnergy.Node.Tests.Support;

/// <summary>Typed calls of <c>p2pe.v1.Ledger</c> over an <see cref="GrpcChannel"/>, each bounded by a deadline.</summary>
public static class LedgerCalls
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    public static Task<SubmitTransactionResponse> SubmitAsync(this GrpcChannel channel, Transaction transaction, CancellationToken cancellationToken = default)
        => channel.SubmitAsync(transaction.ToByteArray(), cancellationToken);

    /// <summary>Submits envelope bytes as they are (the node hashes exactly these bytes into the transaction id).</summary>
    public static Task<SubmitTransactionResponse> SubmitAsync(this GrpcChannel channel, byte[] envelope, CancellationToken cancellationToken = default)
        => channel.Ledger().SubmitTransactionAsync(new SubmitTransactionRequest { Transaction = ByteString.CopyFrom(envelope) }, deadline: DateTime.UtcNow + Deadline, cancellationToken: cancellationToken).ResponseAsync;

    /// <summary>The last status WatchTransaction sends: COMMITTED (with height and result), or UNKNOWN for a transaction the node never saw.</summary>
    public static async Task<TransactionStatus> WatchAsync(this GrpcChannel channel, ByteString transactionId, CancellationToken cancellationToken = default)
    {
        TransactionStatus? last = null;
        await foreach (var status in channel.Ledger().WatchTransaction(new WatchTransactionRequest { TransactionId = transactionId }, deadline: DateTime.UtcNow + Deadline, cancellationToken: cancellationToken).ReadAll())
            last = status;
        return last ?? throw new InvalidOperationException("WatchTransaction ended OK without a status");
    }

    /// <summary>Submits, requires the mempool to accept, and waits for the commit; returns the committed status.</summary>
    public static async Task<TransactionStatus> CommitAsync(this GrpcChannel channel, Transaction transaction, CancellationToken cancellationToken = default)
    {
        var submitted = await channel.SubmitAsync(transaction, cancellationToken);
        if (!submitted.Accepted) throw new InvalidOperationException($"mempool refused the transaction: {submitted.Code} {submitted.Message}");
        var status = await channel.WatchAsync(submitted.TransactionId, cancellationToken);
        return status.State == TransactionStatus.Types.State.Committed ? status : throw new InvalidOperationException($"transaction ended {status.State}, not COMMITTED");
    }

    public static Task<NodeStatus> StatusAsync(this GrpcChannel channel, CancellationToken cancellationToken = default)
        => channel.Ledger().GetNodeStatusAsync(new GetNodeStatusRequest(), deadline: DateTime.UtcNow + Deadline, cancellationToken: cancellationToken).ResponseAsync;

    /// <summary>The account, or null when the node has none for <paramref name="address"/> (NOT_FOUND).</summary>
    public static async Task<AccountState?> AccountAsync(this GrpcChannel channel, Address address, CancellationToken cancellationToken = default)
    {
        try
        {
            return await channel.Ledger().GetAccountAsync(new GetAccountRequest { Address = ByteString.CopyFrom(address.Bytes) }, deadline: DateTime.UtcNow + Deadline, cancellationToken: cancellationToken).ResponseAsync;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Σ(balance + escrow) over <paramref name="accounts"/>: what DESIGN.md rule 5 says only deposits and withdrawals change.</summary>
    public static async Task<long> FundsHeldAsync(this GrpcChannel channel, IEnumerable<Address> accounts, CancellationToken cancellationToken = default)
    {
        long held = 0;
        foreach (var address in accounts)
            if (await channel.AccountAsync(address, cancellationToken) is { } account) held += (long)account.Balance + (long)account.Escrow;
        return held;
    }
}
