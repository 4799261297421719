using System.CommandLine;
using System.Text.Json.Nodes;
using Google.Protobuf;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Contracts.TypedData;
using P2PEnergy.Wallet.Node;
using P2PEnergy.Contracts.Ledger;
using P2PEnergy.Wallet.Failures;

namespace P2PEnergy.Wallet.Cli;

/// <summary>
/// Wraps a signed payload in the <see cref="Transaction"/> envelope, submits it and, with <c>--wait</c>, follows it
/// to its committed result. The node's verdict or result code is the command's outcome: anything but OK fails as
/// <c>p2pe: CODE: message</c>.
/// </summary>
internal static class Submission
{
    public static Option<bool> WaitOption() => new("--wait") { Description = "Wait until the transaction commits and show its result code" };

    public static Option<int> TimeoutOption() => new("--timeout") { Description = "Seconds to wait with --wait (default 120)", DefaultValueFactory = _ => 120 };

    /// <summary>Adds --wait and --timeout to a command that submits.</summary>
    public static (Option<bool> Wait, Option<int> Timeout) AddTo(Command command)
    {
        var wait = WaitOption();
        var timeout = TimeoutOption();
        command.Options.Add(wait);
        command.Options.Add(timeout);
        return (wait, timeout);
    }

    /// <summary>The envelope carrying <paramref name="body"/> in its oneof, for <paramref name="chainId"/>.</summary>
    public static Transaction Envelope(IMessage body, ulong chainId, IEnumerable<Signature> signatures)
    {
        var transaction = new Transaction { ChainId = chainId };
        var field = Transaction.Descriptor.Oneofs[0].Fields.Single(f => f.MessageType == body.Descriptor);
        field.Accessor.SetValue(transaction, body);
        transaction.Signatures.AddRange(signatures.Select(s => ByteString.CopyFrom(s.Bytes)));
        return transaction;
    }

    /// <summary>Signs <paramref name="body"/> with one key on the node's chain and submits it.</summary>
    public static async Task<Submitted> SignAndSubmitAsync(CliContext context, ParseResult parse, NodeClient node, SigningKey key, IMessage body,
        (Option<bool> Wait, Option<int> Timeout) waiting, bool json, ByteString? attachment = null, bool print = true)
    {
        var chainId = (await node.MarketAsync()).ChainId;
        var signer = key.Unlock(context, parse);
        var transaction = Envelope(body, chainId, [signer.Sign(LedgerTypedData.Digest(body, chainId))]);
        if (attachment is not null) transaction.Attachment = attachment;
        return await SubmitAsync(context, node, transaction, parse.GetValue(waiting.Wait), TimeSpan.FromSeconds(parse.GetValue(waiting.Timeout)), json, print);
    }

    /// <summary>
    /// Submits; with <paramref name="wait"/>, shows progress on stderr and fails unless the result is OK. Prints the
    /// outcome unless <paramref name="print"/> is false (the caller adds to it and prints it itself).
    /// </summary>
    public static async Task<Submitted> SubmitAsync(CliContext context, NodeClient node, Transaction transaction, bool wait, TimeSpan timeout, bool json, bool print = true)
    {
        var body = (IMessage)Transaction.Descriptor.Oneofs[0].Accessor.GetCaseFieldDescriptor(transaction)!.Accessor.GetValue(transaction);
        var payloadId = Hex.Encode(LedgerTypedData.Digest(body, transaction.ChainId).Bytes);
        var verdict = await node.SubmitAsync(transaction);
        var transactionId = Hex.Encode(verdict.TransactionId.Span);
        var result = new JsonObject { ["transactionId"] = transactionId, ["id"] = payloadId, ["type"] = body.Descriptor.Name, ["verdict"] = verdict.Code };
        if (!wait)
        {
            result["state"] = "PENDING";
            return Done(context, json, print, new Submitted(result, $"submitted {body.Descriptor.Name} {payloadId} in transaction {transactionId}: {verdict.Code} (pending; use --wait to follow it)", null));
        }
        if (!json) context.Env.Error.WriteLine($"submitted {body.Descriptor.Name} {payloadId}; waiting for commit (at most {timeout.TotalSeconds:0} s)…");
        var status = await node.WaitAsync(verdict.TransactionId, timeout, s =>
        {
            if (!json && s.State == TransactionStatus.Types.State.Pending) context.Env.Error.WriteLine("  pending in the mempool…");
        });
        if (status.Result.Code != ReasonCodes.Ok) throw new WalletException(ExitCode.Rejected, status.Result.Code, status.Result.Message);
        result["state"] = "COMMITTED";
        result["height"] = status.Height;
        result["code"] = status.Result.Code;
        if (!status.Result.PayloadId.IsEmpty) result["id"] = Hex.Encode(status.Result.PayloadId.Span);
        return Done(context, json, print, new Submitted(result, $"committed {body.Descriptor.Name} {result["id"]} at height {status.Height}: {status.Result.Code}", status));
    }

    private static Submitted Done(CliContext context, bool json, bool print, Submitted submitted)
    {
        if (print) context.Print(json, submitted.Result, submitted.Human);
        return submitted;
    }
}

/// <summary>A submission's outcome: the JSON result, its line for people, and the committed status when it was waited for.</summary>
internal sealed record Submitted(JsonObject Result, string Human, TransactionStatus? Status);
