namespace P2PEnergy.Contracts.Api;

/// <summary>
/// The message size limits and call deadlines of the node's gRPC API, in one place: the node configures its
/// endpoint from them and every client of ours (wallet, device agent, bots, load generator) its channel.
/// </summary>
public static class ApiLimits
{
    /// <summary>Largest message either side accepts or sends: 4 MiB, gRPC's and grpc-js' default.</summary>
    public const int MaxMessageBytes = 4 * 1024 * 1024;

    /// <summary>How long a client waits for a unary call (a read or a submission) before giving up.</summary>
    public static readonly TimeSpan UnaryDeadline = TimeSpan.FromSeconds(15);

    /// <summary>How long a client waits for the TCP connection to a node.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
}
