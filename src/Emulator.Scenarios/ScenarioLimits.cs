namespace Emulator.Scenarios;

/// <summary>Upper bounds that keep a scenario within what this machine (2 cores, 24 GiB) can emulate; each says why.</summary>
public static class ScenarioLimits
{
    /// <summary>Most cards in one job: every card is several actors (card, HBM banks, ports) of about 2 KB each plus its state, so 131072 cards already take several GiB.</summary>
    public const int MaxCards = 131_072;

    /// <summary>Most microbatches per pipeline and step: each is a chain of events on every stage, so more would make one step take hours of wall time.</summary>
    public const int MaxMicroBatches = 65_536;

    /// <summary>Most transformer layers: 30x the deepest published dense model; per-layer state is kept for every stage.</summary>
    public const int MaxLayers = 4_096;

    /// <summary>Largest model width: 10x any published model; keeps h² products and byte counts far inside 64-bit range.</summary>
    public const int MaxHidden = 262_144;

    /// <summary>Largest MLP width (4x the largest hidden).</summary>
    public const int MaxFfnHidden = 1_048_576;

    /// <summary>Most torus axes of two or more chips, counting the one across slices: a collective runs a reduce-scatter and an
    /// all-gather ring per axis, and a lane tags at most 16 ring stages (CardActor.Ring).</summary>
    public const int MaxRingAxes = 8;

    /// <summary>Longest sequence: 1M tokens; attention terms grow with s², which beyond this leaves exact 64-bit arithmetic.</summary>
    public const int MaxSeqLen = 1_048_576;

    /// <summary>Largest vocabulary: 16x the largest published tokenizers.</summary>
    public const int MaxVocab = 4_194_304;

    /// <summary>Most metric cross-entropies a microbatch: trainers log a handful of loss-derived metrics, and each is a full pass
    /// over the logits, so more is a typo.</summary>
    public const int MaxMetricCrossEntropies = 16;

    /// <summary>Most partition threads: this machine has 2 cores, so more threads only add barrier cost.</summary>
    public const int MaxThreads = 64;

    /// <summary>Most cards traced: every traced card adds a track of all its events to trace.json, and past about 1024 tracks the file is too large for trace viewers.</summary>
    public const int MaxTraceCards = 1_024;

    /// <summary>Smallest RDMA chunk: the 4 KiB RDMA MTU; smaller chunks multiply events without modelling anything real.</summary>
    public const long MinRdmaChunkBytes = 4_096;

    /// <summary>Most runtime memory per card (software.runtime-memory): 1024 TiB, thousands of times any card's HBM; a card's live
    /// bytes are summed in 64 bits, so a size near 2^63 would wrap the sum and hide the out-of-memory it is.</summary>
    public const long MaxRuntimeMemoryBytes = 1L << 50;

    /// <summary>Most HBM stacks a card: real cards carry 4 to 12, each a bank actor; more is a typo.</summary>
    public const int MaxHbmStacks = 64;

    /// <summary>Largest HBM stack: 1 TiB, tens of times any stack made (HBM3e: 36-48 GB); with <see cref="MaxHbmStacks"/> it keeps a
    /// card's capacity, and every byte count summed against it, far inside 64 bits.</summary>
    public const long MaxStackCapacityBytes = 1L << 40;
}
