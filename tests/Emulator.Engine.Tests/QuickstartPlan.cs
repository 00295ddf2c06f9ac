using Emulator.Engine.Plan;
using Emulator.Scenarios;

namespace Emulator.Engine.Tests;

/// <summary>Stage 1's program of the quickstart scenario under overrides, and the HBM bytes its work moves.</summary>
internal static class QuickstartPlan
{
    /// <summary>The plan of the quickstart's stage 1 with <paramref name="overrides"/> (`key=value`) applied.</summary>
    public static StagePlan Of(params string[] overrides) => StagePlanner.Build(ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), overrides), 1);

    /// <summary>HBM bytes every work item of <paramref name="plan"/> moves.</summary>
    public static long Bytes(StagePlan plan) => plan.Program.OfType<Work>().Sum(w => w.Cost.HbmBytes);

    /// <summary>HBM bytes and executed FLOPs that setting the boolean <paramref name="key"/> adds to stage 1 under <paramref name="recompute"/>.</summary>
    public static (long Bytes, double Flops) AddedBy(string key, string recompute)
    {
        var plain = Of($"training.recompute={recompute}");
        var with = Of($"training.recompute={recompute}", $"{key}=true");
        return (Bytes(with) - Bytes(plain), with.ExecutedFlops - plain.ExecutedFlops);
    }
}
