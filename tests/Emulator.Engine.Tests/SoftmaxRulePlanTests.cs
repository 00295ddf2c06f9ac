namespace Emulator.Engine.Tests;

/// <summary>training.softmax = bigscience-2022-02 is decided on the final plan, so a --set micro batch or tp moves it.</summary>
public class SoftmaxRulePlanTests
{
    [Theory]
    [InlineData("2", "fp32-fallback")] // quickstart's 16 heads at tp 2, 8 a rank: b·np = 16, blocks of 32
    [InlineData("4", "fused")]         // 32, blocks of 32
    public void BigScience2022_is_the_kernel_its_code_chose_for_the_plan(string microBatch, string same)
    {
        string[] plan = [$"parallel.micro-batch={microBatch}"];
        var rule = QuickstartPlan.Of([.. plan, "training.softmax=bigscience-2022-02"]);
        Assert.Equal(QuickstartPlan.Bytes(QuickstartPlan.Of([.. plan, $"training.softmax={same}"])), QuickstartPlan.Bytes(rule));
        Assert.NotEqual(QuickstartPlan.Bytes(QuickstartPlan.Of([.. plan, $"training.softmax={(same == "fused" ? "fp32-fallback" : "fused")}"])), QuickstartPlan.Bytes(rule));
    }
}
