using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Wallet.Keys;

/// <summary>One named key in the key ring: its address and the geth-style keystore file (name only, inside the keystore folder).</summary>
public sealed record KeyEntry(string Name, Address Address, string FileName);
