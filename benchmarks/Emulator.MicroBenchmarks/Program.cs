using BenchmarkDotNet.Running;

// Pick benchmarks with --filter (scripts/microbench.sh passes its first argument there); --list flat shows them all.
var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
// A benchmark that threw reports NA and BenchmarkDotNet still exits 0: fail so the script and whoever runs it notice.
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
