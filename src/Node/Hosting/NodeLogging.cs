using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace P2PEnergy.Node.Hosting;

/// <summary>
/// The console log: levels per category from the "Logging" section (defaults in <see cref="NodeConfiguration.LogLevelDefaults"/>),
/// and Node:LogFormat — <c>text</c>, or <c>json</c>: one JSON object per line (timestamp, level, category, message and
/// its structured fields), which journald, Loki or Elasticsearch take without a parser.
/// </summary>
public static class NodeLogging
{
    public static void Configure(ILoggingBuilder logging, NodeOptions options)
    {
        logging.ClearProviders();
        if (options.LogFormat == "json")
            logging.AddJsonConsole(json =>
            {
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        else
            logging.AddSimpleConsole(text =>
            {
                text.UseUtcTimestamp = true;
                text.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                text.SingleLine = true;
            });
    }
}
