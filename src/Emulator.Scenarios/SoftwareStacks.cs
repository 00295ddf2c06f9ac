using System.Globalization;

namespace Emulator.Scenarios;

/// <summary>The software stacks with a calibration file (hocon/stacks/NAME.conf), and the nearest one to a stack that has none.</summary>
public static class SoftwareStacks
{
    /// <summary>Stack names a scenario in <paramref name="scenarioDirectory"/>, made from a file in <paramref name="madeFrom"/> if given, would find.</summary>
    public static IReadOnlyList<string> Available(string scenarioDirectory, string? madeFrom = null) =>
        ProfileLocator.Stacks.Names(scenarioDirectory, madeFrom);

    /// <summary>Full path of the calibration file of stack <paramref name="name"/> for a scenario in <paramref name="scenarioDirectory"/>,
    /// made from a file in <paramref name="madeFrom"/> if given; null when there is none.</summary>
    public static string? Find(string name, string scenarioDirectory, string? madeFrom = null) =>
        ProfileLocator.Stacks.Find(name, scenarioDirectory, madeFrom);

    /// <summary>Families that fork another's kernels: Megatron-DeepSpeed (Microsoft's and BigScience's) is Megatron-LM of 2021 with
    /// DeepSpeed's pipeline engine and ZeRO around the same fused kernels; Megatron-core is Megatron-LM's library, and NeMo and
    /// Megatron-Bridge train through it. Without a calibration of their own they run at Megatron-LM's. MindFormers, Huawei's
    /// MindSpore stack, is no fork, but its matmuls are CANN's on the same Ascend cards as MindSpeed-LLM's (Huawei's PyTorch
    /// stack): it runs at MindSpeed-LLM's scale, not at generic's, which stands for no stack known on any card.</summary>
    private static readonly IReadOnlyDictionary<string, string> ForkOf = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["megatron-deepspeed"] = "megatron-lm",
        ["megatron-core"] = "megatron-lm",
        ["nemo"] = "megatron-lm",
        ["megatron-bridge"] = "megatron-lm",
        ["mindformers"] = "mindspeed-llm",
    };

    /// <summary><paramref name="stack"/> itself when it has a file; else the same family's stack nearest in year (megatron-lm-2023 →
    /// megatron-lm-2021 if that is the only one), ties to the older; else the same for the family it forks; else "generic".</summary>
    public static string Nearest(string stack, string scenarioDirectory, string? madeFrom = null)
    {
        var available = Available(scenarioDirectory, madeFrom);
        if (available.Contains(stack, StringComparer.Ordinal)) return stack;
        var (family, year) = Split(stack);
        var known = available.Select(a => (Name: a, Parts: Split(a))).ToList();
        for (string? f = family; f is not null; f = ForkOf.GetValueOrDefault(f))
        {
            var nearest = known
                .Where(a => a.Parts.Family == f)
                .OrderBy(a => Math.Abs(a.Parts.Year - year)).ThenBy(a => a.Parts.Year)
                .Select(a => a.Name)
                .FirstOrDefault();
            if (nearest is not null) return nearest;
        }
        return "generic";
    }

    /// <summary>"megatron-lm-2021" → ("megatron-lm", 2021); a name without a year has year 0.</summary>
    private static (string Family, int Year) Split(string stack)
    {
        var dash = stack.LastIndexOf('-');
        return dash > 0 && int.TryParse(stack[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            ? (stack[..dash], year)
            : (stack, 0);
    }
}
