using System.Globalization;
using System.Text;
using Emulator.Core.Accounting;
using Emulator.Core.Specs;
using Emulator.Engine.Results;

namespace Emulator.Cli.Reports;

/// <summary>The human-readable summary `emulator run` prints.</summary>
public static class Summary
{
    /// <summary>Formats the result of <paramref name="s"/>.</summary>
    public static string Format(Scenario s, StepResult r)
    {
        var b = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        void Line(string label, string value) => b.Append(inv, $"  {label,-26}{value}\n");
        b.Append(inv, $"{s.Name}: {s.Model.Name} on {CardsText(s)} ({(r.Actors["card"] < s.Cards ? $"{Count(s.Nodes, "node")}; replicas mirrored: {r.Actors["card"]} cards, {Count(r.Actors["node"], "node")}, {Count(r.Actors["switch"], "switch")} live" : $"{Count(s.Nodes, "node")}, {Count(r.Actors["switch"], "switch")}")}), tp {s.Parallel.Tp}{(s.Parallel.Cp > 1 ? $" cp {s.Parallel.Cp}" : "")} pp {s.Parallel.Pp} dp {s.Parallel.Dp}, {Count(s.Parallel.MicroBatches, "microbatch")} of {s.Parallel.MicroBatch}\n");
        if (r.Oom is { } o)
        {
            b.Append(inv, $"  OUT OF MEMORY: card {o.Card}, HBM bank {o.Bank} refused {Gib(o.Requested)} at {o.At.Seconds * 1e3:0.###} ms ({Gib(o.BankLive)} of {Gib(o.BankCapacity)} held)\n");
            // Its own capacity: in a mixed job HbmCapacityBytes is the peak card's, which may be another kind (every card has the
            // same stack count, so the refusing bank's capacity gives the card's).
            b.Append(inv, $"  card {o.Card} would need {Gib(r.OomBreakdown!.Values.Sum())} of {Gib(o.BankCapacity * s.Card.HbmStacks)}:\n");
            foreach (var (kind, bytes) in r.OomBreakdown!) Line("    " + kind.ToString().ToLowerInvariant(), Gib(bytes));
            return b.ToString();
        }
        Line("step time", $"{r.StepTime.Seconds:0.####} s");
        Line("tokens/s", r.TokensPerSecond.ToString("N0", inv));
        Line("model TFLOP/s per card", r.ModelTflopsPerCard.ToString("0.0", inv));
        Line("hardware TFLOP/s per card", r.HardwareTflopsPerCard.ToString("0.0", inv));
        Line("MFU", r.Mfu.ToString("0.0%", inv));
        b.Append("  time breakdown (mean per card):\n");
        foreach (var (kind, seconds) in r.Breakdown.Where(k => k.Key != TimeKind.ContextParallel || k.Value > 0))
            Line("    " + ResultJson.Name(kind).Replace('_', ' '), $"{seconds:0.####} s  {seconds / r.StepTime.Seconds,6:0.0%}");
        Line("peak HBM", $"{Gib(r.PeakHbmBytes)} of {Gib(r.HbmCapacityBytes)} (card {r.PeakHbmCard})");
        foreach (var (kind, bytes) in r.PeakHbmBreakdown) Line("    " + kind.ToString().ToLowerInvariant(), Gib(bytes));
        if (r.Links.Count > 0)
        {
            b.Append("  busiest fabric links:\n");
            foreach (var l in r.Links.Take(5))
                b.Append(inv, $"    {l.From} -> {l.To}: {l.Bytes / 1e9:0.###} GB, {(double)l.BusyPs / r.StepTime.Ps:0.0%} busy\n");
        }
        b.Append(inv, $"  engine: {r.Events:N0} events, {r.Actors.Values.Sum():N0} actors\n");
        return b.ToString();
    }

    private static string Gib(long bytes) => (bytes / (double)(1L << 30)).ToString("0.00", CultureInfo.InvariantCulture) + " GiB";

    /// <summary>"32 x A100-…", or for a job with cards per stage each run of stages on one card: "16 x A100-… in stages 0-1 and 16 x H100-… in stages 2-3".</summary>
    private static string CardsText(Scenario s)
    {
        if (s.StageCards.Count == 0) return $"{s.Cards} x {s.Card.Name}";
        var perStage = s.Cards / s.Parallel.Pp;
        // Stages merge when their cards are the same in every figure, not just in name (two presets may name one card alike).
        var runs = new List<(CardSpec Card, int First, int Last)>();
        for (var stage = 0; stage < s.StageCards.Count; stage++)
        {
            var card = s.StageCards[stage];
            if (runs.Count > 0 && runs[^1].Card == card) runs[^1] = runs[^1] with { Last = stage };
            else runs.Add((card, stage, stage));
        }
        return string.Join(runs.Count == 2 ? " and " : ", ", runs.Select(r =>
            $"{(r.Last - r.First + 1) * perStage} x {r.Card.Name} in {(r.First == r.Last ? $"stage {r.First}" : $"stages {r.First}-{r.Last}")}"));
    }

    /// <summary>"1 node", "2 nodes", "1 switch", "28 switches".</summary>
    private static string Count(long n, string noun) =>
        n == 1 ? $"1 {noun}" : $"{n} {noun}{(noun.EndsWith("ch", StringComparison.Ordinal) ? "es" : "s")}";
}
