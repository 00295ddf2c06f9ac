using BenchmarkDotNet.Running;

// Pick benchmarks with --filter (scripts/microbench.sh passes its first argument there); --list flat shows them all.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
