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
    [InlineData("jax-pathways-2022", "generic")]
    public void Nearest_SameFamilyClosestYear_ElseTheFamilyItForks_ElseGeneric(string stack, string expected)
    {
        Assert.Equal(expected, SoftwareStacks.Nearest(stack, Scenarios));
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
