namespace Emulator.Core.Accounting;

/// <summary>What a block of HBM holds.</summary>
public enum MemoryKind
{
    Weights,
    Gradients,
    Optimizer,
    Activations,
    Buffers,
}
