using Emulator.Core.Units;
using Emulator.Scenarios;

namespace Emulator.Core.Tests.Scenarios;

public class ScenarioKeysTests
{
    [Fact]
    public void Docs_list_every_key_as_the_table_says()
    {
        var doc = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "scenario-format.md")).ReplaceLineEndings("\n");
        var table = ScenarioKeys.MarkdownTable();
        if (!doc.Contains(table))
        {
            var expected = Path.Combine(Path.GetTempPath(), "scenario-keys.md");
            File.WriteAllText(expected, table);
            Assert.Fail($"docs/scenario-format.md is out of date with ScenarioKeys; paste the table written to {expected}");
        }
    }

    [Fact]
    public void Every_default_is_a_known_key()
    {
        foreach (var key in ReferenceConfig.Defaults().Keys)
            Assert.NotNull(ScenarioKeys.Find(key));
    }

    [Fact]
    public void Every_unit_example_parses()
    {
        foreach (var k in ScenarioKeys.All)
        {
            switch (k.Type)
            {
                case KeyType.Bytes: UnitParser.ParseBytes(k.Example); break;
                case KeyType.Time: UnitParser.ParseTime(k.Example); break;
                case KeyType.Bandwidth: UnitParser.ParseBandwidth(k.Example); break;
                case KeyType.FlopRate: UnitParser.ParseFlopRate(k.Example); break;
                case KeyType.Power: UnitParser.ParsePower(k.Example); break;
                case KeyType.Choice: Assert.Contains(k.Example, k.Choices ?? []); break;
            }
        }
    }

    [Fact]
    public void Every_key_of_the_preset_is_known()
    {
        // The preset is checked on every load; this pins that it sets every hardware key explicitly.
        var s = ScenarioLoader.Load(RepoPaths.Scenario("selene-tiny"), []);
        Assert.True(s.Fabric.RailOptimized);
    }

    [Theory]
    [InlineData("parallel.tpp", "parallel.tp")]
    [InlineData("model.hiden", "model.hidden")]
    [InlineData("parallel.layers", "model.layers")]
    [InlineData("emulation.rdma_chunk", "emulation.rdma-chunk")]
    [InlineData("cards", "cluster.cards")]
    public void Closest_key(string typo, string expected) => Assert.Equal(expected, ScenarioKeys.Closest(typo).Path);
}
