using System.Buffers.Binary;
using System.Text;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Node.Ledger.State;

/// <summary>
/// A block's transaction results as one byte string, in the encoding the app hash covers (see <see cref="AppHash"/>):
/// count ‖ per result, in block order, len(transaction id) ‖ id ‖ len(payload id) ‖ id ‖ len(code) ‖ code (UTF-8) ‖
/// len(message) ‖ message (UTF-8); lengths and count u32 big-endian. Every node must agree on codes and messages, not
/// only on state, so they are part of the hash.
/// </summary>
public static class ResultSetEncoding
{
    public static byte[] Encode(IReadOnlyList<TransactionResult> results)
    {
        long length = 4;
        foreach (var r in results)
            length += 16L + r.TransactionId.Length + r.PayloadId.Length + Encoding.UTF8.GetByteCount(r.Code) + Encoding.UTF8.GetByteCount(r.Message);
        var bytes = new byte[checked((int)length)];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)results.Count);
        int at = 4;
        foreach (var r in results)
        {
            at = Put(bytes, at, r.TransactionId.Span);
            at = Put(bytes, at, r.PayloadId.Span);
            at = Put(bytes, at, r.Code);
            at = Put(bytes, at, r.Message);
        }
        return bytes;
    }

    /// <summary>len ‖ UTF-8 of <paramref name="text"/>, transcoded in place (not into an array of its own per result).</summary>
    private static int Put(byte[] bytes, int at, string text)
    {
        int length = Encoding.UTF8.GetBytes(text, bytes.AsSpan(at + 4));
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(at), (uint)length);
        return at + 4 + length;
    }

    private static int Put(byte[] bytes, int at, ReadOnlySpan<byte> field)
    {
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(at), (uint)field.Length);
        field.CopyTo(bytes.AsSpan(at + 4));
        return at + 4 + field.Length;
    }
}
