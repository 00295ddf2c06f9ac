using Emulator.Kernel;

namespace Emulator.Core.Models;

/// <summary>Cost of some work on one card: FLOPs executed, HBM bytes moved, kernels launched, and its roofline duration.</summary>
/// <param name="Flops">Matrix-multiply FLOPs (element-wise kernels count zero, as the MFU convention does).</param>
/// <param name="HbmBytes">Bytes read plus written in HBM.</param>
/// <param name="Kernels">Kernel launches.</param>
/// <param name="Duration">Sum of the kernels' roofline times, launch overhead included.</param>
public readonly record struct WorkCost(double Flops, long HbmBytes, int Kernels, SimTime Duration)
{
    /// <summary>No work.</summary>
    public static readonly WorkCost Zero = new(0, 0, 0, SimTime.Zero);

    /// <summary>Work done one after the other: every field adds.</summary>
    public static WorkCost operator +(WorkCost a, WorkCost b) =>
        new(a.Flops + b.Flops, checked(a.HbmBytes + b.HbmBytes), a.Kernels + b.Kernels, a.Duration + b.Duration);

    /// <summary>The same work done <paramref name="times"/> times over, one after the other.</summary>
    public static WorkCost operator *(WorkCost a, int times) =>
        times < 0 ? throw new ArgumentOutOfRangeException(nameof(times), times, "work is repeated zero or more times")
            : new(a.Flops * times, checked(a.HbmBytes * times), checked(a.Kernels * times), a.Duration * times);

    /// <summary>Work with a part of it taken out (the part must be in it): every field subtracts.</summary>
    public static WorkCost operator -(WorkCost a, WorkCost b) =>
        b.HbmBytes > a.HbmBytes || b.Kernels > a.Kernels || b.Duration > a.Duration
            ? throw new ArgumentException($"cannot take {b} out of {a}: it is not part of it")
            : new(a.Flops - b.Flops, a.HbmBytes - b.HbmBytes, a.Kernels - b.Kernels, a.Duration - b.Duration);
}
