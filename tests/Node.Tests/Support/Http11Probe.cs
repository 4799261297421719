using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace P2PEnergy.Node.Tests.Support;

/// <summary>
/// GET over HTTP/1.1 as a load balancer or Kubernetes probe sends it: with curl when it is installed (CI has it; it is
/// what docs/operator.md tells operators to run), else HttpClient pinned to HTTP/1.1. An https URL is checked against
/// <c>trusted</c> (the test's own certificate), never with verification turned off.
/// </summary>
public static class Http11Probe
{
    public sealed record Answer(int Status, string Version, string Body, string Via);

    public static bool HasCurl { get; } = Environment.GetEnvironmentVariable("PATH")?.Split(':').Any(dir => File.Exists(Path.Combine(dir, "curl"))) == true;

    public static Task<Answer> GetAsync(Uri url, X509Certificate2? trusted = null, string? trustedPemFile = null)
        => HasCurl ? CurlAsync(url, trustedPemFile) : ClientAsync(url, trusted);

    private static async Task<Answer> CurlAsync(Uri url, string? caFile)
    {
        var start = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "--http1.1", "--silent", "--show-error", "--include", "--max-time", "20" }) start.ArgumentList.Add(argument);
        if (caFile is not null) { start.ArgumentList.Add("--cacert"); start.ArgumentList.Add(caFile); }
        start.ArgumentList.Add(url.ToString());
        using var curl = Process.Start(start)!;
        var output = curl.StandardOutput.ReadToEndAsync();
        var error = curl.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try { await curl.WaitForExitAsync(limit.Token); }
        catch (OperationCanceledException) { curl.Kill(); throw new TimeoutException($"curl {url} ran over 30 s"); }
        if (curl.ExitCode != 0) throw new HttpRequestException($"curl {url} exited {curl.ExitCode}: {await error}");
        var text = (await output).Replace("\r\n", "\n", StringComparison.Ordinal);
        int split = text.IndexOf("\n\n", StringComparison.Ordinal);
        var status = text[..text.IndexOf('\n', StringComparison.Ordinal)].Split(' ');
        return new Answer(int.Parse(status[1], System.Globalization.CultureInfo.InvariantCulture), status[0], split < 0 ? "" : text[(split + 2)..], "curl");
    }

    private static async Task<Answer> ClientAsync(Uri url, X509Certificate2? trusted)
    {
        using var handler = new HttpClientHandler();
        if (trusted is not null)
            handler.ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.RawData.AsSpan().SequenceEqual(trusted.RawData);
        using var client = new HttpClient(handler) { DefaultRequestVersion = HttpVersion.Version11, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact, Timeout = TimeSpan.FromSeconds(20) };
        using var response = await client.GetAsync(url);
        return new Answer((int)response.StatusCode, $"HTTP/{response.Version}", await response.Content.ReadAsStringAsync(), "HttpClient");
    }
}
