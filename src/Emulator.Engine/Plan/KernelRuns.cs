using Emulator.Kernel;

namespace Emulator.Engine.Plan;

/// <summary>The runs of a program: maximal stretches of compute (Work, with the tensor-parallel syncs and allocations between them)
/// that no pipeline or data-parallel event interrupts. A run's HBM traffic must be served within its compute window; the
/// card's banks work out once per step which runs they would still be serving after it (HbmBankActor).</summary>
public sealed class KernelRuns
{
    private readonly long[] _bytes;
    private readonly SimTime[] _compute;
    private readonly bool[] _last;
    private readonly bool[] _head;
    private readonly bool[] _chains;
    private readonly List<int> _heads = new();

    private KernelRuns(int length)
    {
        _bytes = new long[length];
        _compute = new SimTime[length];
        _last = new bool[length];
        _head = new bool[length];
        _chains = new bool[length];
    }

    /// <summary>Splits a program into runs.</summary>
    public static KernelRuns Of(IReadOnlyList<Instruction> program)
    {
        CheckAsyncCollectives(program);
        var runs = new KernelRuns(program.Count);
        var head = -1;
        var lastWork = -1;
        for (var pc = 0; pc <= program.Count; pc++)
        {
            var instruction = pc < program.Count ? program[pc] : null;
            if (instruction is Work w)
            {
                if (head < 0)
                {
                    head = pc;
                    runs._head[pc] = true;
                    runs._heads.Add(pc);
                }
                runs._bytes[head] += w.Cost.HbmBytes;
                runs._compute[head] += w.Cost.Duration;
                lastWork = pc;
                continue;
            }
            if (head >= 0 && instruction is TpSync or TpStart or TpWait or Alloc) continue;
            if (head >= 0) runs._last[lastWork] = true;
            head = -1;
        }
        for (var pc = 0; pc + 1 < program.Count; pc++)
            runs._chains[pc] = program[pc] is TpSync
                && (program[pc + 1] is TpSync || (pc + 2 < program.Count && program[pc + 1] is Work && program[pc + 2] is TpSync && !runs._head[pc + 1]));
        return runs;
    }

    /// <summary>Each TpStart is followed by kernels, allocations and sends only, then its TpWait: a card holds one asynchronous
    /// tensor-parallel collective at a time (CardActor matches the collective's end to it).</summary>
    private static void CheckAsyncCollectives(IReadOnlyList<Instruction> program)
    {
        var open = -1;
        for (var pc = 0; pc < program.Count; pc++)
        {
            var bad = program[pc] switch
            {
                TpStart => open >= 0,
                TpWait => open < 0,
                TpSync or RingSync or RingWait or WaitInput => open >= 0,
                _ => false,
            };
            if (bad) throw new InvalidOperationException($"program instruction {pc} ({program[pc]}) breaks the TpStart ... TpWait pairing (started at {open})");
            if (program[pc] is TpStart) open = pc;
            else if (program[pc] is TpWait) open = -1;
        }
        if (open >= 0) throw new InvalidOperationException($"the TpStart at {open} has no TpWait");
    }

    /// <summary>Whether the Work at <paramref name="pc"/> starts a run.</summary>
    public bool StartsRun(int pc) => _head[pc];

    /// <summary>HBM bytes of the run that starts at <paramref name="pc"/>.</summary>
    public long Bytes(int pc) => _bytes[pc];

    /// <summary>Sum of the compute durations of the run that starts at <paramref name="pc"/>.</summary>
    public SimTime Compute(int pc) => _compute[pc];

    /// <summary>Where each run starts, in program order.</summary>
    public IReadOnlyList<int> Heads => _heads;

    /// <summary>Whether the Work at <paramref name="pc"/> ends its run.</summary>
    public bool EndsRun(int pc) => _last[pc];

    /// <summary>Whether the TpSync at <paramref name="pc"/> leads straight into the next one: a kernel of the same run, then a sync,
    /// or the sync right after it.</summary>
    /// <remarks>Then every rank of the group, released together, runs the same kernel (if any) and joins the next collective when
    /// it ends (or, for the run's last kernel, when the slowest rank's banks have served the run), which the node can therefore
    /// run without hearing from them (NodeActor.RunCollective).</remarks>
    public bool ChainsOn(int pc) => _chains[pc];
}
