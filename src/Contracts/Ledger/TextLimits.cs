using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace P2PEnergy.Contracts.Ledger;

/// <summary>
/// The most UTF-8 bytes each free-text field of a signed payload may hold (docs/typed-data.md, "Size limits"): a
/// block is permanent, so nobody may write a 250 KB payment reference into it. The node refuses a longer field with
/// TOO_LARGE at the door and in execution; wallets can check before they sign.
/// </summary>
public static class TextLimits
{
    /// <summary>Meter ids, grid node ids and roles are identifiers; names and references are short human text.</summary>
    public static readonly IReadOnlyDictionary<string, int> ByField = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["meter"] = 64, ["sellerMeter"] = 64, ["buyerMeter"] = 64,
        ["gridNode"] = 64, ["element"] = 64,
        ["role"] = 32,
        ["operator"] = 64,
        ["name"] = 128,
        ["reference"] = 256, ["reason"] = 256,
    };

    /// <summary>The limit of a string field (by its JSON name); fields not listed get the identifier limit, 64.</summary>
    public static int Of(FieldDescriptor field) => ByField.TryGetValue(field.JsonName, out int limit) ? limit : 64;

    /// <summary>The first string field of <paramref name="message"/> (nested messages included) over its limit, or null.</summary>
    public static (string Field, int Bytes, int Limit)? FirstOver(IMessage message, string path = "")
    {
        // Runs on every submitted transaction: nothing is allocated unless a field is over its limit.
        var fields = message.Descriptor.Fields.InFieldNumberOrder();
        for (int f = 0; f < fields.Count; f++) // an index, not foreach: the list's enumerator is boxed
        {
            var field = fields[f];
            if (field.FieldType is not (FieldType.String or FieldType.Message)) continue;
            var value = field.Accessor.GetValue(message);
            if (!field.IsRepeated)
            {
                if (value is string text && Bytes(text, field) is { } bytes) return (path + field.JsonName, bytes, Of(field));
                if (value is IMessage nested && FirstOver(nested, path + field.JsonName + ".") is { } inner) return inner;
                continue;
            }
            int index = 0;
            foreach (var item in (System.Collections.IList)value)
            {
                if (item is string text && Bytes(text, field) is { } bytes) return ($"{path}{field.JsonName}[{index}]", bytes, Of(field));
                if (item is IMessage nested && FirstOver(nested, $"{path}{field.JsonName}[{index}].") is { } inner) return inner;
                index++;
            }
        }
        return null;
    }

    /// <summary>The UTF-8 length of <paramref name="text"/> when it is over the field's limit, else null.</summary>
    private static int? Bytes(string text, FieldDescriptor field)
    {
        int limit = Of(field);
        // A char takes at most 3 UTF-8 bytes (a surrogate pair 4 for two chars), so a short string needs no count.
        if (text.Length * 3 <= limit) return null;
        int bytes = Encoding.UTF8.GetByteCount(text);
        return bytes > limit ? bytes : null;
    }
}
