using System.Diagnostics;
using Emulator.Cli.Reports;
using Emulator.Engine;
using Emulator.Scenarios;

namespace Emulator.Cli;

/// <summary>`emulator run &lt;scenario&gt; [--out DIR] [--set key=value ...]`: emulates one training step.</summary>
public static class RunCommand
{
    /// <summary>Usage text.</summary>
    public const string Usage = """
        usage: emulator run <scenario.conf> [--out DIR] [--set key=value ...] [--quiet] [--build-only]
          --out DIR        where result.json, run-stats.json and trace.json go (default: out/<scenario name>)
          --set key=value  override any scenario key, e.g. --set parallel.tp=4 --set emulation.rdma-chunk=4MiB
          --quiet          print nothing but errors
          --build-only     validate, plan and create every actor, report counts, time and memory, then stop (no step)
        exit codes: 0 ran, 2 bad input, 3 the plan does not fit in HBM (OOM)
        """;

    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Execute(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        string? scenarioPath = null, outDir = null;
        var sets = new List<string>();
        var quiet = false;
        var buildOnly = false;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--out" when i + 1 < args.Count: outDir = args[++i]; break;
                case "--set" when i + 1 < args.Count: sets.Add(args[++i]); break;
                case "--quiet": quiet = true; break;
                case "--build-only": buildOnly = true; break;
                case "-h" or "--help": stdout.WriteLine(Usage); return ExitCodes.Ok;
                case "--out" or "--set":
                    stderr.WriteLine(OptionExamples.MissingValue("run", args[i], Usage));
                    return ExitCodes.BadInput;
                case var a when a.StartsWith('-'):
                    stderr.WriteLine($"emulator run: unknown or incomplete option '{a}'\n{Usage}");
                    return ExitCodes.BadInput;
                case var a when scenarioPath is null: scenarioPath = a; break;
                default:
                    stderr.WriteLine($"emulator run: unexpected argument '{args[i]}' (one scenario per run)\n{Usage}");
                    return ExitCodes.BadInput;
            }
        }
        if (scenarioPath is null)
        {
            stderr.WriteLine($"emulator run: which scenario? e.g. emulator run hocon/scenarios/quickstart.conf\n{Usage}");
            return ExitCodes.BadInput;
        }
        // A file the emulator wrote (a result.json, validate's validation.csv) is named as such, not read as a scenario or a runs CSV.
        if (File.Exists(scenarioPath) && EmulatorOutputs.Misplaced(scenarioPath, "a scenario", "give a scenario file, e.g. emulator run hocon/scenarios/quickstart.conf") is { } output)
        {
            stderr.WriteLine($"error: {output}");
            return ExitCodes.BadInput;
        }
        if (scenarioPath.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            stderr.WriteLine($"emulator run: {scenarioPath} is a CSV of published runs, not a scenario; emulate its rows with: emulator validate {scenarioPath}");
            return ExitCodes.BadInput;
        }

        Core.Specs.Scenario scenario;
        try
        {
            scenario = ScenarioLoader.Load(scenarioPath, sets);
        }
        catch (ScenarioException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }

        // Without --out the name is the folder under out/: it must not lead elsewhere.
        if (outDir is null && (scenario.Name.Trim().Trim('.').Length == 0 || scenario.Name.IndexOfAny(['/', '\\']) >= 0 || Path.IsPathRooted(scenario.Name)))
        {
            stderr.WriteLine($"error: name = '{scenario.Name}' would put the results outside out/ (it names the folder out/NAME): give the scenario a plain name, e.g. name = quickstart, or choose the folder with --out DIR");
            return ExitCodes.BadInput;
        }
        var outGiven = outDir is not null;
        outDir ??= Path.Combine("out", scenario.Name);
        var scenarioFile = Path.GetFullPath(scenarioPath);
        // The default folder is the scenario's name: a copy of a scenario that kept its name would replace the original's results.
        if (!outGiven && !buildOnly && OutputDirectory.ResultsOf(outDir) is { } other
            && File.Exists(other) && !OutputDirectory.SameFile(other, scenarioFile))
        {
            stderr.WriteLine($"error: {outDir} holds the results of {other}, whose name is also '{scenario.Name}', and this run would replace them; "
                + $"give {scenarioPath} a name of its own (name = ...), or choose the folder with --out DIR (--out {outDir} replaces them)");
            return ExitCodes.BadInput;
        }
        if (!buildOnly && (OutputDirectory.FolderInTheWay(new[] { "result.json", "run-stats.json", "trace.json" }.Select(f => Path.Combine(outDir, f)), stderr)
            || !OutputDirectory.TryCreate(outDir, outGiven, stderr))) return ExitCodes.BadInput;
        var wall = Stopwatch.StartNew();
        if (buildOnly)
        {
            var actors = StepEmulation.BuildOnly(scenario);
            var total = actors.Values.Sum();
            var peak = Process.GetCurrentProcess().PeakWorkingSet64;
            if (!quiet) stdout.WriteLine($"{scenario.Name}: built {total:N0} actors ({string.Join(", ", actors.Select(a => $"{a.Value:N0} {a.Key}"))}) in {wall.Elapsed.TotalSeconds:0.0} s; peak process memory {peak / (double)(1L << 30):0.00} GiB ({peak / (double)total:N0} bytes per actor, everything included)");
            return ExitCodes.Ok;
        }
        var setup = TimeSpan.Zero;
        using var progress = quiet ? null : new ProgressReporter(stderr);
        var result = StepEmulation.Run(scenario, sim =>
        {
            setup = wall.Elapsed;
            progress?.Watch(sim);
        });
        wall.Stop();
        progress?.Dispose();

        File.WriteAllBytes(Path.Combine(outDir, "result.json"), ResultJson.Write(result));
        File.WriteAllBytes(Path.Combine(outDir, "run-stats.json"),
            RunStats.Write(result, wall.Elapsed, setup, Process.GetCurrentProcess().PeakWorkingSet64, scenario.Emulation.Threads, scenarioFile));
        TraceJson.Write(result, Path.Combine(outDir, "trace.json"));

        if (!quiet)
        {
            stdout.Write(Summary.Format(scenario, result));
            stdout.WriteLine($"  wall {wall.Elapsed.TotalSeconds:0.00} s ({result.Events / Math.Max(wall.Elapsed.TotalSeconds, 1e-9):N0} events/s); wrote {outDir}/result.json, run-stats.json, trace.json");
        }
        return result.Oom is null ? ExitCodes.Ok : ExitCodes.OutOfMemory;
    }
}
