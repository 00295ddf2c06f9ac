using Emulator.Scenarios;

namespace Emulator.Core.Tests.Scenarios;

public class SoftwareStacksTests
{
    private static string Scenarios => Path.GetDirectoryName(RepoPaths.Scenario("quickstart"))!;

    [Theory]
    [InlineData("megatron-lm-2021", "megatron-lm-2021")]
    [InlineData("megatron-lm-2023", "megatron-lm-2021")]
    [InlineData("megatron-deepspeed-2021", "megatron-lm-2021")]
    [InlineData("megatron-deepspeed-2022", "megatron-lm-2021")]
    [InlineData("nemo-2024", "megatron-lm-2021")]            // trains through Megatron-core
    [InlineData("megatron-core-2024", "megatron-lm-2021")]
    [InlineData("mindformers-2024", "mindspeed-llm-2025")]  // CANN's matmuls on the same Ascend cards
    [InlineData("jax-pathways-2022", "generic")]
    public void Nearest_SameFamilyClosestYear_ElseTheFamilyItForks_ElseGeneric(string stack, string expected)
    {
        Assert.Equal(expected, SoftwareStacks.Nearest(stack, Scenarios));
    }

    [Theory]
    // The hardware preset was suggested for any key, though a preset refuses all but card, node and fabric keys.
    [InlineData("training.recompute = full", "move training.recompute to the scenario")]
    [InlineData("model.layers = 8", "move model.layers to the scenario")]
    [InlineData("card.efficiency.gemm = 0.5", "move card.efficiency.gemm to the scenario or the hardware preset")]
    public void A_stack_file_setting_another_sections_key_says_where_that_key_may_go(string line, string advice)
    {
        using var t = TempScenario.With(("software.stack", "odd-2020"));
        Directory.CreateDirectory(Path.Combine(t.Root, "stacks"));
        File.WriteAllText(Path.Combine(t.Root, "stacks", "odd-2020.conf"), $"software.gemm-scale = 0.9\n{line}\n");
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(t.FilePath, []));
        Assert.Contains($"{line}: a software stack file may only set software keys; ", ex.Message);
        Assert.EndsWith(advice, ex.Message);
    }

    [Fact]
    public void A_stack_named_in_a_scenario_loads_its_calibration()
    {
        var generic = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), []);
        var named = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["software.stack=megatron-lm-2021"]);
        Assert.Equal("generic", generic.Software.Stack);
        Assert.Equal(1.0, generic.Software.GemmScale);
        Assert.Equal("megatron-lm-2021", named.Software.Stack);
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["software.stack=nosuch-2020"]));
        Assert.Contains("no stack nosuch-2020.conf found", ex.Message);
    }
}
