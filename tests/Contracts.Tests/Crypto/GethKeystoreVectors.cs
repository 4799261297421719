namespace P2PEnergy.Contracts.Tests.Crypto;

/// <summary>go-ethereum accounts/keystore/testdata/v3_test_vector.json, loaded from Crypto/Vectors (copied to the output).</summary>
internal static class GethKeystoreVectors
{
    public const string Password = "testpassword";
    public const string PrivateKey = "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d";
    public const string Address = "0x008AeEda4D805471dF9b2A5B0f38A0C3bCBA786b";

    public static string Pbkdf2 => Load("geth-v3-pbkdf2.json");
    public static string Scrypt => Load("geth-v3-scrypt.json");

    public static string Load(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Vectors", name));
}
