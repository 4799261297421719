namespace P2PEnergy.Contracts.Rpc;

/// <summary>One Length-Prefixed-Message as received: its Compressed-Flag and its (still encoded) bytes.</summary>
public readonly record struct GrpcFrame(bool Compressed, byte[] Payload);
