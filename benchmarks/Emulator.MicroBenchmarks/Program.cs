using BenchmarkDotNet.Running;

// Pick benchmarks with --filter (scripts/microbench.sh passes its first argument there); --list flat shows them all.
var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args).ToArray();
// A benchmark that threw reports NA and BenchmarkDotNet still exits 0: fail so the script and whoever runs it notice;
// likewise a --filter that matches nothing (a typo would otherwise pass).
if (summaries.Length == 0 && args.Contains("--filter"))
{
    Console.Error.WriteLine("no benchmark matches the filter; --list flat shows their names");
    return 1;
}
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
