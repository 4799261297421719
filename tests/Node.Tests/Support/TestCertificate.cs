using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace P2PEnergy.Node.Tests.Support;

/// <summary>
/// A self-signed TLS certificate made by the test (ECDSA P-256, for 127.0.0.1 and localhost, valid one day), written
/// as PEM files the node's Tls settings name; clients in the test trust exactly this certificate.
/// </summary>
public static class TestCertificate
{
    /// <summary>Writes <c>node.crt</c> and <c>node.key</c> into <paramref name="directory"/>; returns the certificate.</summary>
    public static X509Certificate2 Create(string directory)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=p2pe-node test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, 0, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false)); // server auth
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "node.crt"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "node.key"), key.ExportPkcs8PrivateKeyPem());
        return X509CertificateLoader.LoadCertificate(certificate.RawData);
    }

    /// <summary>Writes a PKCS#12 file (certificate and key) protected by <paramref name="password"/>, as Tls:CertificateFile=*.pfx reads it.</summary>
    public static void CreatePkcs12(string path, string password)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=p2pe-node test", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
    }
}
