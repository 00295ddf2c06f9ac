namespace Emulator.Core.Specs;

/// <summary>Activation recomputation policy.</summary>
public enum Recompute
{
    /// <summary>Keep every activation.</summary>
    None,
    /// <summary>Recompute the attention core (softmax, dropout, scores) in backward, as Korthikanti et al.</summary>
    Selective,
    /// <summary>Keep only each layer's input; recompute the whole layer forward in backward.</summary>
    Full,
}

/// <summary>Training setup that changes memory and time but not the model.</summary>
/// <param name="Precision">"bf16" or "fp16" (2-byte weights, activations and gradients; fp32 master and Adam state).</param>
/// <param name="Recompute">Activation recomputation.</param>
/// <param name="SequenceParallel">Megatron sequence parallelism (shards layer-norm/dropout activations over tp).</param>
/// <param name="DistributedOptimizer">Shard fp32 master weights and Adam state over dp (ZeRO-1); gradients reduce-scatter, parameters all-gather.</param>
public sealed record TrainingSpec(
    string Precision,
    Recompute Recompute,
    bool SequenceParallel,
    bool DistributedOptimizer);
