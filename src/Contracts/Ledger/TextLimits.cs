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
        ["name"] = 128,
        ["reference"] = 256, ["reason"] = 256,
    };

    /// <summary>The limit of a string field (by its JSON name); fields not listed get the identifier limit, 64.</summary>
    public static int Of(FieldDescriptor field) => ByField.TryGetValue(field.JsonName, out int limit) ? limit : 64;

    /// <summary>The first string field of <paramref name="message"/> (nested messages included) over its limit, or null.</summary>
    public static (string Field, int Bytes, int Limit)? FirstOver(IMessage message, string path = "")
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            if (field.FieldType is not (FieldType.String or FieldType.Message)) continue;
            string name = path + field.JsonName;
            var value = field.Accessor.GetValue(message);
            if (field.FieldType == FieldType.String)
            {
                var texts = field.IsRepeated ? ((System.Collections.IEnumerable)value).Cast<string>() : [(string)value];
                foreach (var text in texts)
                {
                    int bytes = Encoding.UTF8.GetByteCount(text);
                    if (bytes > Of(field)) return (name, bytes, Of(field));
                }
            }
            else
            {
                var items = field.IsRepeated ? ((System.Collections.IEnumerable)value).Cast<IMessage>() : value is IMessage one ? [one] : [];
                int index = 0;
                foreach (var item in items)
                {
                    if (FirstOver(item, field.IsRepeated ? $"{name}[{index}]." : name + ".") is { } over) return over;
                    index++;
                }
            }
        }
        return null;
    }
}
