using System.Text.Json;
using Emulator.Core.Accounting;
using Emulator.Engine.Results;

namespace Emulator.Cli.Reports;

/// <summary>Writes result.json: deterministic figures only, so the same scenario gives the same bytes on any thread count.</summary>
public static class ResultJson
{
    /// <summary>How many links result.json lists under busiest_links.</summary>
    public const int BusiestLinks = 10;

    /// <summary>Serialises <paramref name="r"/> to indented UTF-8 JSON.</summary>
    public static byte[] Write(StepResult r)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("scenario", r.Scenario);
            w.WriteNumber("cards", r.Cards);
            w.WriteBoolean("oom", r.Oom is not null);
            if (r.Oom is null)
            {
                w.WriteNumber("step_time_s", r.StepTime.Seconds);
                w.WriteNumber("step_time_ps", r.StepTime.Ps);
                w.WriteNumber("tokens_per_s", r.TokensPerSecond);
                w.WriteNumber("model_tflops_per_card", r.ModelTflopsPerCard);
                w.WriteNumber("hardware_tflops_per_card", r.HardwareTflopsPerCard);
                w.WriteNumber("mfu", r.Mfu);
            }
            else
            {
                foreach (var k in new[] { "step_time_s", "step_time_ps", "tokens_per_s", "model_tflops_per_card", "hardware_tflops_per_card", "mfu" }) w.WriteNull(k);
            }
            w.WriteNumber("tokens_per_step", r.TokensPerStep);
            w.WriteNumber("peak_hbm_bytes", r.PeakHbmBytes);
            w.WriteNumber("peak_hbm_card", r.PeakHbmCard);
            w.WriteNumber("hbm_capacity_bytes", r.HbmCapacityBytes);
            WriteMemory(w, "peak_hbm_breakdown", r.PeakHbmBreakdown);
            if (r.Oom is { } o)
            {
                w.WriteStartObject("oom_detail");
                w.WriteNumber("card", o.Card);
                w.WriteNumber("bank", o.Bank);
                w.WriteNumber("at_s", o.At.Seconds);
                w.WriteNumber("requested_bytes", o.Requested);
                w.WriteNumber("bank_live_bytes", o.BankLive);
                w.WriteNumber("bank_capacity_bytes", o.BankCapacity);
                WriteMemory(w, "card_peak_demand", r.OomBreakdown!);
                w.WriteEndObject();
            }
            w.WriteStartObject("breakdown");
            foreach (var (kind, seconds) in r.Breakdown) w.WriteNumber(Name(kind), seconds);
            w.WriteEndObject();
            w.WriteStartArray("busiest_links");
            foreach (var l in r.Links.Take(BusiestLinks))
            {
                w.WriteStartObject();
                w.WriteString("from", l.From);
                w.WriteString("to", l.To);
                w.WriteNumber("bytes", l.Bytes);
                w.WriteNumber("utilisation", r.StepTime.Ps > 0 ? (double)l.BusyPs / r.StepTime.Ps : 0);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartObject("engine");
            w.WriteNumber("events", r.Events);
            w.WriteStartObject("actors");
            foreach (var (kind, count) in r.Actors) w.WriteNumber(kind, count);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    /// <summary>snake_case name of a time part, as used in result.json.</summary>
    public static string Name(TimeKind kind) => kind switch
    {
        TimeKind.Compute => "compute",
        TimeKind.TensorParallel => "tensor_parallel",
        TimeKind.PipelineBubble => "pipeline_bubble",
        TimeKind.DataParallel => "data_parallel",
        TimeKind.ContextParallel => "context_parallel",
        _ => "optimizer",
    };

    private static void WriteMemory(Utf8JsonWriter w, string name, IReadOnlyDictionary<MemoryKind, long> bytes)
    {
        w.WriteStartObject(name);
        foreach (var (kind, b) in bytes) w.WriteNumber(kind.ToString().ToLowerInvariant(), b);
        w.WriteEndObject();
    }
}
