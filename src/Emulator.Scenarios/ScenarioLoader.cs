using Emulator.Core.Specs;

namespace Emulator.Scenarios;

/// <summary>Loads a scenario file, its hardware preset, the built-in defaults and `--set` overrides into a validated <see cref="Scenario"/>.</summary>
/// <remarks>
/// <para>A scenario is a HOCON file (docs/scenario-format.md lists every key, unit and default):</para>
/// <code>
/// name = quickstart
/// description = "..."
/// hardware = a100-80g-selene        # hocon/presets/&lt;name&gt;.conf supplies card{}, node{}, fabric{}
/// cluster { cards = 32 }
/// model { name, layers, hidden, heads, kv-heads, ffn-hidden, gated-mlp, parallel-layers, vocab, seq-len }
/// parallel { tp, pp, dp, micro-batch, global-batch, schedule = 1f1b, stage-layers = [] }
/// training { precision = bf16, recompute = none|selective|full, sequence-parallel = false, zero-stage = 0 }
/// emulation { seed = 1, rdma-chunk = whole, threads = 1, trace-cards = 8 }
/// card { name, peak-flops, hbm { stacks, stack-capacity, stack-bandwidth }, power, efficiency { gemm, gemm-half-dim, memory, kernel-overhead } }
/// node { cards, intra { bandwidth, latency }, nics, nic { bandwidth, latency } }
/// fabric { kind = fat-tree, tiers = 2|3, link { bandwidth, latency }, leaf { down-ports, up-ports }, spine { down-ports, up-ports }, rail-optimized }
/// </code>
/// <para>
/// Each key is taken from the first source that sets it: `--set` overrides (the last one given wins), the scenario,
/// the preset, then the embedded reference.conf. Values with units are read as text and parsed by
/// <see cref="Emulator.Core.Units.UnitParser"/>, never by Akka's own size and duration readers, so they stay exact.
/// Every problem is a <see cref="ScenarioException"/> naming the source, the key, the value and what would be valid.
/// </para>
/// </remarks>
public static class ScenarioLoader
{
    /// <summary>Priority of a hardware preset's keys (defaults are 0).</summary>
    internal const int PresetRank = 1;
    private const int StackRank = 1, ScenarioRank = 2, OverrideRank = 3;

    /// <summary>Loads <paramref name="scenarioPath"/> with no overrides.</summary>
    public static Scenario Load(string scenarioPath) => Load(scenarioPath, []);

    /// <summary>Loads <paramref name="scenarioPath"/>, applying <paramref name="overrides"/> (`key=value`, as given to `--set`) on top.</summary>
    /// <param name="profilesMadeFrom">The folder of the file a generated scenario was made from (a runs CSV): presets and stacks are looked for from there first.</param>
    public static Scenario Load(string scenarioPath, IReadOnlyList<string> overrides, string? profilesMadeFrom = null)
    {
        var fullPath = Path.GetFullPath(scenarioPath);
        if (InputFile.Problem(scenarioPath, "scenario", "hocon/scenarios/quickstart.conf") is { } problem)
            throw new ScenarioException(problem, scenarioPath);
        var scenarioDir = Path.GetDirectoryName(fullPath)!;

        var config = new LayeredConfig();
        config.Add(ReferenceConfig.Layer());
        var scenario = new ConfigLayer(scenarioPath, ScenarioRank, HoconFile.Parse(File.ReadAllText(fullPath), scenarioPath), scenarioDir);
        config.Add(scenario);
        KeyCheck.Check(scenario, hardwareOnly: false);
        for (var i = 0; i < overrides.Count; i++)
        {
            var layer = Override(overrides[i], OverrideRank + i);
            KeyCheck.Check(layer, hardwareOnly: false);
            config.Add(layer);
        }

        var presetName = "";
        string? presetLabel = null;
        if (config.TryGet("hardware", out var hardware, out var setBy))
        {
            var name = hardware.Scalar?.Trim()
                ?? throw new ScenarioException($"{setBy.Label}: hardware = {hardware.Display}: a list is not allowed here; name one preset, e.g. hardware = a100-80g-selene", setBy.Label, "hardware");
            var presetPath = ProfileLocator.Presets.Locate(name, setBy, scenarioDir, profilesMadeFrom);
            presetLabel = Display(presetPath);
            var preset = new ConfigLayer(presetLabel, PresetRank, HoconFile.Parse(File.ReadAllText(presetPath), presetLabel), Path.GetDirectoryName(presetPath)!);
            KeyCheck.Check(preset, hardwareOnly: true);
            config.Add(preset);
            presetName = name.EndsWith(".conf", StringComparison.Ordinal) ? Path.GetFileNameWithoutExtension(name) : name;
        }

        if (config.TryGet("software.stack", out var stack, out var stackSetBy)
            && stack.Scalar?.Trim() is { Length: > 0 } stackName && stackName != SoftwareSpec.Generic.Stack)
        {
            var stackPath = ProfileLocator.Stacks.Locate(stackName, stackSetBy, scenarioDir, profilesMadeFrom);
            var label = Display(stackPath);
            var layer = new ConfigLayer(label, StackRank, HoconFile.Parse(File.ReadAllText(stackPath), label), Path.GetDirectoryName(stackPath)!);
            KeyCheck.Check(layer, hardwareOnly: false, softwareOnly: true);
            config.Add(layer);
        }

        var provenance = new Provenance(scenarioPath);
        var result = new ScenarioReader(config, provenance, scenario, presetLabel)
            .Read(Path.GetFileNameWithoutExtension(fullPath), presetName);
        result = result with { StageCards = StageCards(config, scenarioDir, profilesMadeFrom) };
        // Errors about the list quote it as written (preset names) and blame its source, not the cards read from it.
        if (config.TryGet("cluster.stage-hardware", out var stages, out var stagesSetBy)) provenance.Record("cluster.stage-hardware", stagesSetBy, stages.Display);
        ScenarioValidator.Validate(result, provenance);
        return result;
    }

    /// <summary>The card of each preset named in cluster.stage-hardware (a heterogeneous job): that preset, under the `--set card.efficiency.*` overrides.</summary>
    /// <remarks>A scenario's card block and the other card keys describe the main card; an efficiency override (e.g. --set
    /// card.efficiency.attention=0.3, a sensitivity run) is meant for every card of the job.</remarks>
    private static IReadOnlyList<CardSpec> StageCards(LayeredConfig config, string scenarioDir, string? profilesMadeFrom)
    {
        if (!config.TryGet("cluster.stage-hardware", out var raw, out var setBy)) return [];
        if (raw.Items is null)
            throw new ScenarioException($"{setBy.Label}: cluster.stage-hardware = {raw.Display}: not a list; write one preset per stage, e.g. cluster.stage-hardware = [a100-80g-selene, h100-80g-roce]", setBy.Label, "cluster.stage-hardware");
        if (raw.Items is not { Count: > 0 } names) return [];
        var cards = new Dictionary<string, CardSpec>(StringComparer.Ordinal);
        foreach (var name in names.Distinct(StringComparer.Ordinal))
        {
            var path = ProfileLocator.Presets.Locate(name, setBy, scenarioDir, profilesMadeFrom, $"cluster.stage-hardware item {names.ToList().IndexOf(name) + 1}");
            var label = Display(path);
            var preset = new ConfigLayer(label, PresetRank, HoconFile.Parse(File.ReadAllText(path), label), Path.GetDirectoryName(path)!);
            KeyCheck.Check(preset, hardwareOnly: true);
            var alone = new LayeredConfig();
            alone.Add(ReferenceConfig.Layer());
            alone.Add(preset);
            foreach (var set in config.Layers.Where(l => l.Rank >= OverrideRank))
                alone.Add(set with { Leaves = set.Leaves.Where(kv => kv.Key.StartsWith("card.efficiency.", StringComparison.Ordinal)).ToDictionary() });
            cards[name] = new ScenarioReader(alone, new Provenance(label), preset, label).ReadCardOnly();
        }
        return names.Select(n => cards[n]).ToArray();
    }

    /// <summary>Throws a <see cref="ScenarioException"/> naming the first override that is not `key=value` with a known key (what any
    /// scenario would refuse), so a command applying them to many scenarios can refuse them once, before running any.</summary>
    public static void CheckOverrides(IReadOnlyList<string> overrides)
    {
        for (var i = 0; i < overrides.Count; i++) KeyCheck.Check(Override(overrides[i], OverrideRank + i), hardwareOnly: false);
    }

    /// <summary>Every key one `--set` writes, as full paths: it is HOCON text, so `training { recompute = full }` writes
    /// training.recompute and `a = 1, b = 2` two keys. Throws a <see cref="ScenarioException"/> as <see cref="CheckOverrides"/> does.</summary>
    public static IReadOnlyCollection<string> OverrideKeys(string set) => Override(set, OverrideRank).Leaves.Keys.ToArray();

    /// <summary>One `--set key=value` as a layer of its own, so errors can name the override.</summary>
    private static ConfigLayer Override(string text, int rank)
    {
        var label = $"--set {text}";
        var eq = text.IndexOf('=');
        if (eq <= 0)
            throw new ScenarioException($"{label}: expected key=value, e.g. --set parallel.tp=4", label);
        var key = text[..eq].Trim();
        var value = text[(eq + 1)..].Trim();
        if (key.Split('.').Any(part => part.Trim().Length == 0))
            throw new ScenarioException($"{label}: '{key}' has an empty part between dots; write the key as docs/scenario-format.md lists it, e.g. parallel.tp", label);
        return new ConfigLayer(label, rank, HoconFile.Parse($"{key} = {value}", label), Environment.CurrentDirectory);
    }

    /// <summary>A path as the user would write it: relative to the working directory when inside it.</summary>
    private static string Display(string path)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }
}
