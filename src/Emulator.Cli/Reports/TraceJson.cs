using System.Text.Json;
using Emulator.Engine.Results;

namespace Emulator.Cli.Reports;

/// <summary>Writes trace.json in the Chrome trace-event format (opens in ui.perfetto.dev): a track per sampled card, HBM and link-utilisation counters.</summary>
public static class TraceJson
{
    /// <summary>How many switches get a utilisation counter (the busiest).</summary>
    public const int SwitchCounters = 16;

    private const int CardsPid = 1;
    private const int FabricPid = 2;

    /// <summary>Writes the trace of <paramref name="r"/> to <paramref name="path"/>.</summary>
    public static void Write(StepResult r, string path)
    {
        using var file = File.Create(path);
        using var w = new Utf8JsonWriter(file);
        w.WriteStartObject();
        w.WriteString("displayTimeUnit", "ns");
        w.WriteStartArray("traceEvents");
        Meta(w, CardsPid, null, "process_name", "cards (sampled)");
        Meta(w, FabricPid, null, "process_name", "fabric");
        foreach (var card in r.SampledCards)
        {
            Meta(w, CardsPid, card.Card, "thread_name", $"card {card.Card}");
            foreach (var span in card.Spans)
            {
                w.WriteStartObject();
                w.WriteString("name", span.Name);
                w.WriteString("cat", span.Category);
                w.WriteString("ph", "X");
                w.WriteNumber("ts", Us(span.Start.Ps));
                w.WriteNumber("dur", Us((span.End - span.Start).Ps));
                w.WriteNumber("pid", CardsPid);
                w.WriteNumber("tid", card.Card);
                w.WriteEndObject();
            }
            foreach (var (at, bytes) in card.HbmSamples)
                Counter(w, CardsPid, $"hbm card {card.Card} (GiB)", at.Ps, "GiB", bytes / (double)(1L << 30));
        }
        var busiest = r.SwitchSeries.OrderByDescending(x => x.BusyPs.Sum()).ThenBy(x => x.Switch, StringComparer.Ordinal).Take(SwitchCounters);
        foreach (var (name, ports, bucket, busy) in busiest)
        {
            for (var i = 0; i < busy.Length; i++)
                Counter(w, FabricPid, $"{name} utilisation", i * bucket, "util", busy[i] / (double)(ports * bucket));
            Counter(w, FabricPid, $"{name} utilisation", busy.Length * bucket, "util", 0);
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static double Us(long ps) => ps / 1e6;

    private static void Meta(Utf8JsonWriter w, int pid, int? tid, string kind, string name)
    {
        w.WriteStartObject();
        w.WriteString("name", kind);
        w.WriteString("ph", "M");
        w.WriteNumber("pid", pid);
        if (tid is { } t) w.WriteNumber("tid", t);
        w.WriteStartObject("args");
        w.WriteString("name", name);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void Counter(Utf8JsonWriter w, int pid, string name, long ps, string series, double value)
    {
        w.WriteStartObject();
        w.WriteString("name", name);
        w.WriteString("ph", "C");
        w.WriteNumber("ts", Us(ps));
        w.WriteNumber("pid", pid);
        w.WriteStartObject("args");
        w.WriteNumber(series, value);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
