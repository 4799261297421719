namespace P2PEnergy.Node.Tests.Consensus.Simulation;

/// <summary>A fact that runs only when an environment variable is set (replaying a seed, the soak); skipped otherwise, saying how to run it.</summary>
public sealed class EnvironmentFactAttribute : FactAttribute
{
    public EnvironmentFactAttribute(string variable)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable))) Skip = $"set {variable} to run";
    }
}
