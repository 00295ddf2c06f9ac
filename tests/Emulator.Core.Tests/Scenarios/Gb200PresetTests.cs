using Emulator.Scenarios;

namespace Emulator.Core.Tests.Scenarios;

/// <summary>The GB200 NVL72 preset: Blackwell's FP8 without transposes, Hopper's with them; 64-GPU NVLink domains.</summary>
public class Gb200PresetTests
{
    [Fact]
    public void Gb200_trains_fp8_without_transposes_and_hopper_with_them()
    {
        var gb200 = ScenarioLoader.Load(RepoPaths.Scenario("gb200-nvl72-smoke"), ["training.precision=fp8"]);
        Assert.False(gb200.Card.Fp8Transposes);
        Assert.Equal(4.9e15, gb200.Card.Fp8PeakFlops);
        Assert.Equal(64, gb200.Node.CardsPerNode);
        Assert.True(ScenarioLoader.Load(RepoPaths.Scenario("h100-80g-roce-smoke")).Card.Fp8Transposes);
    }
}
