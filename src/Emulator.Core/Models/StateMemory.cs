namespace Emulator.Core.Models;

/// <summary>Model state resident on one card for the whole step.</summary>
/// <param name="WeightBytes">bf16 weights.</param>
/// <param name="GradientBytes">bf16 gradients.</param>
/// <param name="OptimizerBytes">fp32 master weights, Adam momentum and variance (sharded over dp by a distributed optimizer).</param>
public readonly record struct StateMemory(long WeightBytes, long GradientBytes, long OptimizerBytes)
{
    /// <summary>All three together.</summary>
    public long Total => WeightBytes + GradientBytes + OptimizerBytes;
}
