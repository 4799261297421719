using System.Text.Json;
using System.Text.Json.Serialization;
using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Consensus.Core;

namespace P2PEnergy.Node.Consensus.Wal;

/// <summary>The last message a validator signed: its height, round and step, the digest signed and the signature.</summary>
public sealed record LastSigned(ulong Height, int Round, Step Step, Hash32 Digest, Signature Signature)
{
    public int CompareTo(ulong height, int round, Step step)
        => (Height, Round, (int)Step).CompareTo((height, round, (int)step));
}

/// <summary>
/// The double-sign guard, kept apart from the log like CometBFT's priv_validator_state.json: the (height, round, step) last
/// signed, written atomically before a signature leaves the process. It refuses any signature at or below that point that
/// differs from the one recorded, so even a lost or deleted log cannot make the validator sign two different votes for one
/// step.
/// </summary>
public sealed class SignGuard
{
    public const string FileName = "last-signed.json";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private readonly IWalStorage _storage;
    private bool _unpersisted;

    private SignGuard(IWalStorage storage, LastSigned? last)
    {
        _storage = storage;
        Last = last;
    }

    public LastSigned? Last { get; private set; }

    /// <summary>Reads the guard file (none: nothing signed yet); a damaged file refuses to start.</summary>
    public static SignGuard Load(IWalStorage storage)
    {
        var bytes = storage.Read(FileName);
        if (bytes is null) return new SignGuard(storage, null);
        try
        {
            var file = JsonSerializer.Deserialize<GuardFile>(bytes, Json) ?? throw new JsonException("empty");
            return new SignGuard(storage, new LastSigned(ulong.Parse(file.Height, System.Globalization.CultureInfo.InvariantCulture), file.Round,
                Enum.IsDefined((Step)file.Step) ? (Step)file.Step : throw new JsonException($"step {file.Step} is not 1, 2 or 3"),
                Hash32.Parse(file.Digest), Signature.Parse(file.Signature)));
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException or OverflowException)
        {
            throw new InvalidOperationException($"{FileName} cannot be read ({e.Message}); it guards against double signing, so the node will not sign without it. See docs/consensus.md (\"WAL\").", e);
        }
    }

    /// <summary>
    /// May this node sign <paramref name="digest"/> as (<paramref name="height"/>, <paramref name="round"/>, <paramref name="step"/>)?
    /// Null with <paramref name="reuse"/> set: it already signed exactly this, use that signature. Null without: sign.
    /// A reason: refuse.
    /// </summary>
    public string? Check(ulong height, int round, Step step, Hash32 digest, out Signature? reuse)
    {
        reuse = null;
        if (Last is not { } last) return null;
        int order = last.CompareTo(height, round, step);
        if (order < 0) return null;
        if (order == 0 && last.Digest == digest)
        {
            reuse = last.Signature;
            return null;
        }
        return order == 0
            ? $"already signed {step} at {height}/{round} for digest {last.Digest}; refusing to sign {digest}"
            : $"{step} at {height}/{round} is below the last signed {last.Step} at {last.Height}/{last.Round}";
    }

    /// <summary>
    /// Records a signature in memory (what <see cref="Check"/> answers from at once); a point not above the recorded one
    /// changes nothing. Durable at the next <see cref="Persist"/>, which must come before the signature leaves the process.
    /// </summary>
    public void Record(ulong height, int round, Step step, Hash32 digest, Signature signature)
    {
        if (Last is { } last && last.CompareTo(height, round, step) >= 0) return;
        Last = new LastSigned(height, round, step, digest, signature);
        _unpersisted = true;
    }

    /// <summary>Writes the last recorded signature durably and atomically, when it moved since the last write.</summary>
    public void Persist()
    {
        if (!_unpersisted || Last is not { } last) return;
        var file = new GuardFile(last.Height.ToString(System.Globalization.CultureInfo.InvariantCulture), last.Round, (int)last.Step, last.Digest.ToString(), last.Signature.ToString());
        _storage.WriteAtomic(FileName, JsonSerializer.SerializeToUtf8Bytes(file, Json));
        _unpersisted = false;
    }

    // Height as a decimal string: JSON numbers above 2^53 lose precision in many readers.
    private sealed record GuardFile(
        [property: JsonPropertyName("height")] string Height,
        [property: JsonPropertyName("round")] int Round,
        [property: JsonPropertyName("step")] int Step,
        [property: JsonPropertyName("digest")] string Digest,
        [property: JsonPropertyName("signature")] string Signature);
}
