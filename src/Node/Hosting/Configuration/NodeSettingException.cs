using System.Globalization;

namespace P2PEnergy.Node.Hosting.Configuration;

/// <summary>
/// A setting the node cannot start with: the message names the setting, its value and what is allowed, in one line
/// (exit code <see cref="NodeExitCode.BadSetting"/>).
/// </summary>
public sealed class NodeSettingException(string setting, object? value, string allowed)
    : Exception($"{setting} must be {allowed}, got {Show(value)}")
{
    public string Setting { get; } = setting;

    private static string Show(object? value) => value switch
    {
        null => "(unset)",
        string s => s.Length == 0 ? "(empty)" : $"'{s}'",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
