using BenchmarkDotNet.Running;
using Emulator.MicroBenchmarks;

// Pick benchmarks with --filter (scripts/microbench.sh passes its first argument there); --list flat shows them all.
var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args).ToArray();
// A benchmark that threw reports NA and BenchmarkDotNet still exits 0: fail so the script and whoever runs it notice;
// likewise a --filter that matches nothing (a typo would otherwise pass), but not a listing (--list flat) or help.
return RunExit.Code(args, summaries.Length, summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)), Console.Error);
