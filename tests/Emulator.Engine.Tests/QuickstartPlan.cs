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
}
