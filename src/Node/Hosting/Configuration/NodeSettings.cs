using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using P2PEnergy.Node.Hosting.Configuration;

namespace P2PEnergy.Node.Hosting;

/// <summary>One setting of <see cref="NodeOptions"/>: its configuration key, where it sits in the object, its text and its range.</summary>
public sealed record NodeSetting(string Key, IReadOnlyList<PropertyInfo> Path, string Description, bool Secret, string? Allowed)
{
    public Type Type => Path[^1].PropertyType;

    /// <summary>The setting's value in <paramref name="options"/>, formatted as configuration text (null when unset).</summary>
    public string? Format(NodeOptions options)
    {
        object? target = options;
        foreach (var property in Path) target = target is null ? null : property.GetValue(target);
        return target switch
        {
            null => null,
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => target.ToString(),
        };
    }

    /// <summary>Converts <paramref name="text"/>, checks its range and sets it in <paramref name="options"/>; <see cref="NodeSettingException"/> otherwise.</summary>
    public void Set(NodeOptions options, string text)
    {
        object owner = options;
        foreach (var property in Path.Take(Path.Count - 1)) owner = property.GetValue(owner)!;
        Path[^1].SetValue(owner, Convert(text));
    }

    private object? Convert(string text)
    {
        var type = Nullable.GetUnderlyingType(Type) ?? Type;
        if (type == typeof(string))
        {
            if (Path[^1].GetCustomAttribute<AllowedValuesAttribute>() is { } allowed && !allowed.IsValid(text)) throw Bad(text);
            return text;
        }
        if (text.Length == 0 && Nullable.GetUnderlyingType(Type) is not null) return null;
        if (type == typeof(bool)) return bool.TryParse(text, out bool flag) ? flag : throw Bad(text);
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number)) throw Bad(text);
        if (Path[^1].GetCustomAttribute<RangeAttribute>() is { } range && !range.IsValid(number)) throw Bad(text);
        return type == typeof(int) ? (object)checked((int)number) : number;
    }

    private NodeSettingException Bad(string text) => new(Key, text, Allowed ?? $"a {Type.Name}");
}

/// <summary>
/// Every setting of <see cref="NodeOptions"/>, found by reflection over its properties (nested option classes are
/// sections), in declaration order: the one list that binding, <c>config show</c>, the <c>init</c> template and
/// docs/node.md (checked by a test) share.
/// </summary>
public static class NodeSettings
{
    public static IReadOnlyList<NodeSetting> All { get; } = Walk(typeof(NodeOptions), NodeOptions.Section, []).ToList();

    /// <summary>The description of a section (a nested option class) by its key, e.g. "Node:Api".</summary>
    public static IReadOnlyDictionary<string, string> Sections { get; } = SectionsOf(typeof(NodeOptions), NodeOptions.Section)
        .ToDictionary(s => s.Key, s => s.Description, StringComparer.OrdinalIgnoreCase);

    public static NodeSetting? Find(string key) => All.FirstOrDefault(s => string.Equals(s.Key, key, StringComparison.OrdinalIgnoreCase));

    private static IEnumerable<NodeSetting> Walk(Type type, string prefix, IReadOnlyList<PropertyInfo> path)
    {
        foreach (var property in Properties(type))
        {
            var key = $"{prefix}:{property.Name}";
            var next = path.Append(property).ToList();
            if (IsSection(property)) { foreach (var setting in Walk(property.PropertyType, key, next)) yield return setting; continue; }
            yield return new NodeSetting(key, next, Description(property), property.GetCustomAttribute<PasswordPropertyTextAttribute>()?.Password == true, Allowed(property));
        }
    }

    private static IEnumerable<(string Key, string Description)> SectionsOf(Type type, string prefix)
    {
        foreach (var property in Properties(type).Where(IsSection))
        {
            yield return ($"{prefix}:{property.Name}", Description(property));
            foreach (var nested in SectionsOf(property.PropertyType, $"{prefix}:{property.Name}")) yield return nested;
        }
    }

    /// <summary>Settable properties, base class first, each class in declaration order.</summary>
    private static IEnumerable<PropertyInfo> Properties(Type type)
    {
        var chain = new List<Type>();
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType) chain.Insert(0, t);
        return chain.SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(p => p.CanWrite && p.GetSetMethod() is not null).OrderBy(p => p.MetadataToken));
    }

    private static bool IsSection(PropertyInfo property) => property.PropertyType.IsClass && property.PropertyType != typeof(string);

    private static string Description(PropertyInfo property)
        => property.GetCustomAttribute<DescriptionAttribute>()?.Description ?? throw new InvalidOperationException($"{property.DeclaringType!.Name}.{property.Name} has no [Description]");

    private static string? Allowed(PropertyInfo property)
    {
        if (property.GetCustomAttribute<RangeAttribute>() is { } range)
            return string.Create(CultureInfo.InvariantCulture, $"an integer in [{range.Minimum}, {range.Maximum}]{(Nullable.GetUnderlyingType(property.PropertyType) is null ? "" : " or unset")}");
        if (property.GetCustomAttribute<AllowedValuesAttribute>() is { } values) return "one of " + string.Join(", ", values.Values);
        if (property.PropertyType == typeof(bool)) return "true or false";
        return null;
    }
}
