using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.Rpc;
using P2PEnergy.Node.Api;

namespace P2PEnergy.Node.Tests.Support;

/// <summary>Typed calls of <c>p2pe.v1.Ledger</c> over an <see cref="RpcChannel"/>, each bounded by a deadline.</summary>
public static class LedgerCalls
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    public static Task<SubmitTransactionResponse> SubmitAsync(this RpcChannel channel, Transaction transaction, CancellationToken cancellationToken = default)
        => channel.UnaryAsync(LedgerService.Name, "SubmitTransaction", new SubmitTransactionRequest { Transaction = transaction.ToByteString() }, SubmitTransactionResponse.Parser, DateTime.UtcNow + Deadline, cancellationToken);

    /// <summary>The last status WatchTransaction sends: COMMITTED (with height and result), or UNKNOWN for a transaction the node never saw.</summary>
    public static async Task<TransactionStatus> WatchAsync(this RpcChannel channel, ByteString transactionId, CancellationToken cancellationToken = default)
    {
        TransactionStatus? last = null;
        await foreach (var status in channel.ServerStreamingAsync(LedgerService.Name, "WatchTransaction", new WatchTransactionRequest { TransactionId = transactionId }, TransactionStatus.Parser, DateTime.UtcNow + Deadline, cancellationToken))
            last = status;
        return last ?? throw new InvalidOperationException("WatchTransaction ended OK without a status");
    }

    /// <summary>Submits, requires the mempool to accept, and waits for the commit; returns the committed status.</summary>
    public static async Task<TransactionStatus> CommitAsync(this RpcChannel channel, Transaction transaction, CancellationToken cancellationToken = default)
    {
        var submitted = await channel.SubmitAsync(transaction, cancellationToken);
        if (!submitted.Accepted) throw new InvalidOperationException($"mempool refused the transaction: {submitted.Code} {submitted.Message}");
        var status = await channel.WatchAsync(submitted.TransactionId, cancellationToken);
        return status.State == TransactionStatus.Types.State.Committed ? status : throw new InvalidOperationException($"transaction ended {status.State}, not COMMITTED");
    }

    public static Task<NodeStatus> StatusAsync(this RpcChannel channel, CancellationToken cancellationToken = default)
        => channel.UnaryAsync(LedgerService.Name, "GetNodeStatus", new GetNodeStatusRequest(), NodeStatus.Parser, DateTime.UtcNow + Deadline, cancellationToken);

    /// <summary>The account, or null when the node has none for <paramref name="address"/> (NOT_FOUND).</summary>
    public static async Task<AccountState?> AccountAsync(this RpcChannel channel, Address address, CancellationToken cancellationToken = default)
    {
        try
        {
            return await channel.UnaryAsync(LedgerService.Name, "GetAccount", new GetAccountRequest { Address = ByteString.CopyFrom(address.Bytes) }, AccountState.Parser, DateTime.UtcNow + Deadline, cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Σ(balance + escrow) over <paramref name="accounts"/>: what DESIGN.md rule 5 says only deposits and withdrawals change.</summary>
    public static async Task<long> FundsHeldAsync(this RpcChannel channel, IEnumerable<Address> accounts, CancellationToken cancellationToken = default)
    {
        long held = 0;
        foreach (var address in accounts)
            if (await channel.AccountAsync(address, cancellationToken) is { } account) held += (long)account.Balance + (long)account.Escrow;
        return held;
    }
}
