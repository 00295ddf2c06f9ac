namespace Emulator.MicroBenchmarks;

/// <summary>The process exit code from the command line and what BenchmarkDotNet ran (compiled into the core tests too).</summary>
internal static class RunExit
{
    /// <summary>Options after which BenchmarkDotNet prints something (names, help, version, environment) and runs nothing.</summary>
    private static readonly string[] InfoOnly = ["--list", "--help", "-h", "-?", "--version", "--info"];

    /// <summary>
    /// 1 when a benchmark failed, or when <c>--filter</c> matched nothing (BenchmarkDotNet exits 0 either way, so a typo or
    /// a throwing benchmark would pass); 0 otherwise, including a listing or help, which run no benchmark by design.
    /// </summary>
    public static int Code(IReadOnlyList<string> args, int summaries, bool anyFailed, TextWriter stderr)
    {
        var infoOnly = args.Any(a => InfoOnly.Contains(a) || a.StartsWith("--list=", StringComparison.Ordinal));
        if (summaries == 0 && args.Contains("--filter") && !infoOnly)
        {
            stderr.WriteLine("no benchmark matches the filter; --list flat shows their names");
            return 1;
        }
        return anyFailed ? 1 : 0;
    }
}
