using Emulator.Core.Specs;
using Emulator.Core.Units;
using Emulator.Kernel;

namespace Emulator.Core.Tests.Models;

/// <summary>Round-number card and models whose costs come out as whole picoseconds.</summary>
internal static class ModelFixtures
{
    /// <summary>
    /// 1 TFLOP/s peak, best GEMM efficiency 0.5 halving at d = 64, one 100 GB/s stack at 50% (5e10 B/s effective, 20 ps a byte), 1 µs launch.
    /// A GEMM with min dimension 64 runs at 0.25 (4 ps a FLOP), 128 at 1/3 (3 ps a FLOP), 192 at 0.375.
    /// </summary>
    public static readonly CardSpec Card = new(
        Name: "tiny", PeakFlops: 1e12, HbmStacks: 1, StackCapacityBytes: 1L << 30, StackBandwidth: Bandwidth.FromGBps(100),
        PowerWatts: 100, GemmEfficiency: 0.5, GemmHalfDim: 64, MemoryEfficiency: 0.5, KernelOverhead: SimTime.FromUs(1));

    /// <summary>Tiny standard GPT: l 4, h 128, a 2 (d 64), f 512, V 256, s 64. 12h² + 13h = 198,272 per layer.</summary>
    public static readonly ModelSpec Tiny = new("tiny", Layers: 4, Hidden: 128, Heads: 2, KvHeads: 2, FfnHidden: 512, GatedMlp: false, Vocab: 256, SeqLen: 64);

    /// <summary>GPT-3 175B as in Narayanan et al. (l 96, h 12288, a 96, V 51200, s 2048).</summary>
    public static readonly ModelSpec Gpt3 = new("gpt3-175b", 96, 12288, 96, 96, 4 * 12288, false, 51200, 2048);

    /// <summary>Llama-2-70B: l 80, h 8192, a 64, 8 kv heads, gated ffn 28672, V 32000, s 4096.</summary>
    public static readonly ModelSpec Llama2_70B = new("llama2-70b", 80, 8192, 64, 8, 28672, true, 32000, 4096);
}
