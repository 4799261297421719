using System.ComponentModel;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using P2PEnergy.Node.Hosting.Configuration;

namespace P2PEnergy.Node.Hosting;

/// <summary>
/// An endpoint's certificate: a PEM certificate (chain) with its PEM key, or a PKCS#12 file (.pfx / .p12) with its
/// password from a file or a variable. Relative paths are relative to the data directory.
/// </summary>
public sealed class TlsOptions
{
    [Description("PEM certificate (chain) or PKCS#12 (.pfx/.p12) file; empty = no TLS")]
    public string CertificateFile { get; set; } = "";

    [Description("PEM private key of CertificateFile (PEM only; empty = the key is in CertificateFile)")]
    public string KeyFile { get; set; } = "";

    [Description("File whose first line is the PKCS#12 password")]
    public string PasswordFile { get; set; } = "";

    [Description("The PKCS#12 password itself; prefer PasswordFile, or set it by environment variable, never in this file")]
    [PasswordPropertyText(true)]
    public string Password { get; set; } = "";

    public bool Enabled => CertificateFile.Length > 0;

    internal void Validate(string prefix)
    {
        if (!Enabled && (KeyFile.Length > 0 || PasswordFile.Length > 0 || Password.Length > 0))
            throw new NodeSettingException($"{prefix}:CertificateFile", CertificateFile, $"a certificate file when {prefix}:KeyFile, PasswordFile or Password is set");
        if (Enabled && IsPkcs12 && KeyFile.Length > 0)
            throw new NodeSettingException($"{prefix}:KeyFile", KeyFile, "empty for a PKCS#12 certificate (the key is inside it)");
    }

    private bool IsPkcs12 => CertificateFile.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || CertificateFile.EndsWith(".p12", StringComparison.OrdinalIgnoreCase);

    /// <summary>Loads the certificate with its private key; a missing or unreadable file is a <see cref="NodeSettingException"/> naming the setting.</summary>
    public X509Certificate2 Load(string prefix, string dataDir)
    {
        string certificate = Resolve(CertificateFile, dataDir, $"{prefix}:CertificateFile");
        try
        {
            X509Certificate2 loaded;
            if (IsPkcs12) loaded = X509CertificateLoader.LoadPkcs12FromFile(certificate, Pkcs12Password(prefix, dataDir));
            else loaded = X509Certificate2.CreateFromPemFile(certificate, KeyFile.Length > 0 ? Resolve(KeyFile, dataDir, $"{prefix}:KeyFile") : null);
            return loaded.HasPrivateKey ? loaded : throw new NodeSettingException($"{prefix}:CertificateFile", CertificateFile, "a certificate with its private key");
        }
        catch (CryptographicException e)
        {
            throw new NodeSettingException($"{prefix}:CertificateFile", CertificateFile, $"a readable certificate and key ({e.Message.TrimEnd('.')})");
        }
    }

    private string Pkcs12Password(string prefix, string dataDir)
    {
        if (PasswordFile.Length == 0) return Password;
        var file = Resolve(PasswordFile, dataDir, $"{prefix}:PasswordFile");
        return File.ReadLines(file).FirstOrDefault() ?? "";
    }

    private static string Resolve(string path, string dataDir, string setting)
    {
        var full = Path.GetFullPath(path, dataDir);
        return File.Exists(full) ? full : throw new NodeSettingException(setting, path, $"an existing file (looked for {full})");
    }
}
