using System.Text.Json;
using Emulator.Engine.Results;

namespace Emulator.Cli.Reports;

/// <summary>Writes run-stats.json: how the emulation itself ran (wall time, speed, memory). Not deterministic by nature.</summary>
public static class RunStats
{
    /// <summary>Serialises the run's statistics; <paramref name="scenarioFile"/> (full path) says whose results the folder holds.</summary>
    public static byte[] Write(StepResult r, TimeSpan wall, TimeSpan build, long peakWorkingSet, int threads, string scenarioFile)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("scenario_file", scenarioFile);
            w.WriteNumber("wall_time_s", wall.TotalSeconds);
            w.WriteNumber("setup_time_s", build.TotalSeconds);
            w.WriteNumber("events", r.Events);
            w.WriteNumber("events_per_s", r.Events / Math.Max(wall.TotalSeconds, 1e-9));
            w.WriteNumber("barriers", r.Barriers);
            w.WriteNumber("partitions", r.Partitions);
            w.WriteNumber("threads", threads);
            w.WriteNumber("peak_memory_bytes", peakWorkingSet);
            w.WriteNumber("actors", r.Actors.Values.Sum());
            // Garbage collections over the whole process: with ~1 GB of long-lived actors, gen0 collections scan their card tables.
            w.WriteNumber("gc_pause_s", GC.GetTotalPauseDuration().TotalSeconds);
            // Bytes allocated over the whole process: what the collections above had to clear.
            w.WriteNumber("allocated_bytes", GC.GetTotalAllocatedBytes());
            w.WriteStartObject("gc_collections");
            for (var g = 0; g <= GC.MaxGeneration; g++) w.WriteNumber($"gen{g}", GC.CollectionCount(g));
            w.WriteEndObject();
            w.WriteStartObject("events_by_message");
            foreach (var (name, n) in r.EventsByMessage.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteNumber(name, n);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }
}
