namespace Emulator.Plots;

/// <summary>Command line of emulator-plots: parses the arguments, runs one plot, maps failures to exit codes.</summary>
public static class PlotCommand
{
    /// <summary>Exit code for a bad command line, a missing input or a malformed CSV.</summary>
    public const int UsageError = 2;

    private const string Usage = "usage: emulator-plots scaling <in.csv> <out.png>   (CSV written by scripts/scaling.sh)";

    /// <summary>Runs the command given by <paramref name="args"/>; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args is ["-h" or "--help"]) { stdout.WriteLine(Usage); return 0; }
        if (args is not ["scaling", var input, var output]) { stderr.WriteLine(Usage); return UsageError; }
        if (!File.Exists(input)) { stderr.WriteLine($"emulator-plots: {input}: no such file"); return UsageError; }
        IReadOnlyList<ScalingRow> rows;
        try { rows = ScalingCsv.Read(input); }
        catch (CsvFormatException e) { stderr.WriteLine($"emulator-plots: {e.Message}"); return UsageError; }

        ScalingPlot.Result plot;
        try
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(output));
            if (dir is not null) Directory.CreateDirectory(dir);
            plot = ScalingPlot.Save(rows, output);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"emulator-plots: cannot write {output}: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException)
        {
            // SkiaSharp's native library (libSkiaSharp.so, from SkiaSharp.NativeAssets.Linux.NoDependencies) did not load.
            stderr.WriteLine($"emulator-plots: the SkiaSharp native library did not load, so no PNG can be drawn: {e.GetBaseException().Message}");
            return 1;
        }
        foreach (var note in plot.Notes) stderr.WriteLine($"emulator-plots: {note}");
        stdout.WriteLine($"wrote {output} ({plot.Width}x{plot.Height}, {rows.Count} size{(rows.Count == 1 ? "" : "s")})");
        return 0;
    }
}
