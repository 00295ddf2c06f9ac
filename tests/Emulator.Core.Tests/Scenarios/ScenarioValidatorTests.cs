using Emulator.Scenarios;

namespace Emulator.Core.Tests.Scenarios;

/// <summary>Scenarios built in code get the same checks as loaded ones.</summary>
public class ScenarioValidatorTests
{
    [Fact]
    public void A_loaded_scenario_is_valid_in_code_too()
    {
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), []);
        ScenarioValidator.Validate(s);
    }

    [Fact]
    public void A_changed_scenario_is_refused_naming_the_given_source()
    {
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), []);
        var bad = s with { Parallel = s.Parallel with { GlobalBatch = 60 } };
        var ex = Assert.Throws<ScenarioException>(() => ScenarioValidator.Validate(bad, "plan search"));
        Assert.StartsWith("plan search: parallel.global-batch = 60: global-batch must be a multiple of micro-batch*dp = 2*4 = 8", ex.Message);
    }

    [Fact]
    public void Typed_values_are_shown_in_base_units()
    {
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), []);
        var bad = s with { Emulation = s.Emulation with { RdmaChunkBytes = 1024 } };
        var ex = Assert.Throws<ScenarioException>(() => ScenarioValidator.Validate(bad));
        Assert.StartsWith("scenario: emulation.rdma-chunk = 1024B: below the 4KiB minimum", ex.Message);
    }
}
