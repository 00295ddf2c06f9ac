namespace Emulator.Core.Accounting;

/// <summary>What a block of HBM holds.</summary>
public enum MemoryKind
{
    Weights,
    Gradients,
    Optimizer,
    Activations,
    Buffers,
    /// <summary>What the runtime holds outside the framework's tensors (CUDA context and kernel images), which nvidia-smi counts.</summary>
    Runtime,
}
