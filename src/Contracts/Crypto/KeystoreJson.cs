using System.Text;
using System.Text.Json;

namespace P2PEnergy.Contracts.Crypto;

/// <summary>
/// Reads and writes the v3 keystore JSON. Reading is as lenient as go-ethereum (either "crypto" or "Crypto",
/// "address" and "id" optional) and as strict as it about everything that decides decryption.
/// </summary>
internal static class KeystoreJson
{
    public static Keystore Read(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try { document = JsonDocument.Parse(json); }
        catch (JsonException e) { throw Malformed($"not JSON ({e.Message.Split('\n')[0]})"); }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Malformed("the top level is not a JSON object");

            if (!root.TryGetProperty("version", out var version)) throw Malformed("\"version\" is missing");
            if (version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var v) || v != 3)
                throw new KeystoreException(KeystoreFailure.UnsupportedVersion, $"keystore: unsupported version {version.GetRawText()} (only 3 is supported)");

            // Old geth and MyEtherWallet files spell it "Crypto".
            if (!root.TryGetProperty("crypto", out var crypto) && !root.TryGetProperty("Crypto", out crypto))
                throw Malformed("\"crypto\" is missing");
            if (crypto.ValueKind != JsonValueKind.Object) throw Malformed("\"crypto\" is not an object");

            var cipher = Text(crypto, "cipher");
            if (cipher != Keystore.Cipher)
                throw new KeystoreException(KeystoreFailure.UnsupportedCipher, $"keystore: unsupported cipher \"{cipher}\" (only {Keystore.Cipher} is supported)");
            var iv = Bytes(Child(crypto, "cipherparams"), "iv", "cipherparams.iv", 16);
            var cipherText = Bytes(crypto, "ciphertext", "ciphertext", 32);
            var mac = Bytes(crypto, "mac", "mac", 32);
            var (kdf, salt) = ReadKdf(crypto);

            Guid? id = null;
            if (root.TryGetProperty("id", out var idElement) && idElement.ValueKind != JsonValueKind.Null)
            {
                if (idElement.ValueKind != JsonValueKind.String || !Guid.TryParse(idElement.GetString(), out var g))
                    throw Malformed($"\"id\" is not a uuid: {Shorten(idElement.GetRawText())}");
                id = g;
            }

            Address? address = null;
            if (root.TryGetProperty("address", out var addressElement) && addressElement.ValueKind != JsonValueKind.Null)
            {
                var text = addressElement.ValueKind == JsonValueKind.String ? addressElement.GetString()! : "";
                // geth writes 40 hex digits without 0x; case carries no checksum here.
                var digits = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
                if (!Crypto.Address.TryParse("0x" + digits.ToLowerInvariant(), out var parsed, out var error))
                    throw Malformed($"\"address\" is not an address ({error})");
                address = parsed;
            }
            return new Keystore(id, address, kdf, salt, iv, cipherText, mac);
        }
    }

    private static (KeystoreKdf Kdf, byte[] Salt) ReadKdf(JsonElement crypto)
    {
        var name = Text(crypto, "kdf");
        var p = Child(crypto, "kdfparams");
        var salt = Bytes(p, "salt", "kdfparams.salt", null);
        try
        {
            switch (name)
            {
                case "scrypt":
                    return (new ScryptKdf(Int(p, "n"), Int(p, "r"), Int(p, "p"), Int(p, "dklen")), salt);
                case "pbkdf2":
                    var prf = Text(p, "prf");
                    if (prf != Pbkdf2Kdf.HmacSha256)
                        throw new KeystoreException(KeystoreFailure.UnsupportedKdf, $"keystore: unsupported pbkdf2 prf \"{prf}\" (only {Pbkdf2Kdf.HmacSha256} is supported)");
                    return (new Pbkdf2Kdf(Int(p, "c"), Int(p, "dklen")), salt);
                default:
                    throw new KeystoreException(KeystoreFailure.UnsupportedKdf, $"keystore: unsupported kdf \"{name}\" (scrypt and pbkdf2 are supported)");
            }
        }
        catch (ArgumentException e)
        {
            var message = e is ArgumentOutOfRangeException o ? o.Message.Split(" (Parameter")[0] : e.Message;
            throw new KeystoreException(KeystoreFailure.UnsupportedKdfParams, $"keystore: {message.Split('\n')[0]}");
        }
    }

    public static string Write(Keystore keystore)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            if (keystore.Address is { } address) w.WriteString("address", Hex.Encode(address.Bytes, prefix: false));
            w.WriteStartObject("crypto");
            w.WriteString("cipher", Keystore.Cipher);
            w.WriteString("ciphertext", Hex.Encode(keystore.CipherText, prefix: false));
            w.WriteStartObject("cipherparams");
            w.WriteString("iv", Hex.Encode(keystore.Iv, prefix: false));
            w.WriteEndObject();
            w.WriteString("kdf", keystore.Kdf.Name);
            w.WriteStartObject("kdfparams");
            w.WriteNumber("dklen", keystore.Kdf.DkLen);
            switch (keystore.Kdf)
            {
                case ScryptKdf s:
                    w.WriteNumber("n", s.N); w.WriteNumber("p", s.P); w.WriteNumber("r", s.R);
                    break;
                case Pbkdf2Kdf pb:
                    w.WriteNumber("c", pb.C); w.WriteString("prf", Pbkdf2Kdf.HmacSha256);
                    break;
                default:
                    throw new InvalidOperationException($"no JSON form for kdf {keystore.Kdf.Name}");
            }
            w.WriteString("salt", Hex.Encode(keystore.Salt, prefix: false));
            w.WriteEndObject();
            w.WriteString("mac", Hex.Encode(keystore.Mac, prefix: false));
            w.WriteEndObject();
            if (keystore.Id is { } id) w.WriteString("id", id.ToString("D"));
            w.WriteNumber("version", 3);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static KeystoreException Malformed(string what) => new(KeystoreFailure.MalformedKeystore, $"keystore: {what}");

    private static JsonElement Child(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var e)) throw Malformed($"\"{name}\" is missing");
        if (e.ValueKind != JsonValueKind.Object) throw Malformed($"\"{name}\" is not an object");
        return e;
    }

    private static string Text(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var e)) throw Malformed($"\"{name}\" is missing");
        if (e.ValueKind != JsonValueKind.String) throw Malformed($"\"{name}\" is not a string: {Shorten(e.GetRawText())}");
        return e.GetString()!;
    }

    private static int Int(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var e)) throw Malformed($"\"kdfparams.{name}\" is missing");
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out var value))
            throw Malformed($"\"kdfparams.{name}\" is not a 32-bit integer: {Shorten(e.GetRawText())}");
        return value;
    }

    private static byte[] Bytes(JsonElement parent, string name, string path, int? length)
    {
        var text = Text(parent, name);
        byte[] bytes;
        try { bytes = Hex.Decode(text); }
        catch (FormatException) { throw Malformed($"\"{path}\" is not hex: \"{Shorten(text)}\""); }
        if (length is { } n && bytes.Length != n) throw Malformed($"\"{path}\" must be {n} bytes, got {bytes.Length}");
        return bytes;
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..37] + "...";
}
