using Emulator.Core.Models;

namespace Emulator.Engine.Plan;

/// <summary>The program and memory figures shared by every card of one pipeline stage.</summary>
/// <param name="Stage">Pipeline stage index.</param>
/// <param name="Layers">Transformer layers of this stage.</param>
/// <param name="Program">Instructions in order.</param>
/// <param name="State">Weights, gradients and optimizer state per card.</param>
/// <param name="ExecutedFlops">FLOPs one card of this stage executes in the step (recompute included).</param>
public sealed record StagePlan(int Stage, int Layers, IReadOnlyList<Instruction> Program, StateMemory State, double ExecutedFlops)
{
    /// <summary>The program's runs of compute, whose HBM traffic goes to the banks at once.</summary>
    public KernelRuns Runs { get; } = KernelRuns.Of(Program);
}
