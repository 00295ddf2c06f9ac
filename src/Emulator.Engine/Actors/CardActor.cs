using Akka.Actor;
using Emulator.Core.Accounting;
using Emulator.Engine.Messages;
using Emulator.Engine.Plan;
using Emulator.Engine.Results;
using Emulator.Engine.Runtime;
using Emulator.Kernel;

namespace Emulator.Engine.Actors;

/// <summary>An accelerator: runs its stage's program, compute timed by the roofline model with HBM traffic served by its banks.</summary>
public sealed partial class CardActor : EntityActor
{
    private readonly CardSetup _s;
    private readonly IReadOnlyList<Instruction> _program;
    private readonly MemoryLedger _ledger = new();
    private readonly long[] _time = new long[Enum.GetValues<TimeKind>().Length];
    private readonly HashSet<(TransferKind, int)> _arrived = new();
    /// <summary>Pipeline send buffers whose last byte leaves this card's own NIC at a known time, in that order; freed from then on.</summary>
    private readonly Queue<(SimTime At, long Bytes)> _sending = new();
    private readonly List<TraceSpan> _spans = new();
    private readonly List<(SimTime, long)> _hbmSamples = new();
    private readonly int _nodeId;
    /// <summary>The card's own NIC, when it has one (else its node sends for it).</summary>
    private readonly NicSender? _nic;
    private int _pc;
    private bool _started;
    private bool _finished;
    private TimeKind _blockedAs;
    private SimTime _blockedSince;
    /// <summary>What the card is blocked on: a span name, or the instruction the name is made from (only on sampled cards).</summary>
    private object _blockedOn = "";
    private (TransferKind, int)? _waitingFor;
    /// <summary>When the banks finish the current run's traffic, if after its compute.</summary>
    private SimTime _trafficLateUntil;
    /// <summary>Runs (by head) whose traffic the banks serve for longer than their compute, and for how long from the run's start.</summary>
    private readonly Dictionary<int, SimTime> _heldRuns = new();
    private int _banksAnswered;
    /// <summary>The Work instruction running.</summary>
    private int _workPc;
    /// <summary>The running kernel started beside a collective and runs at 1 − <see cref="_slowShare"/> until none is left (since <see cref="_slowSince"/>, with <see cref="_slowWorkLeft"/> of its full-rate time to go then).</summary>
    private bool _slowed;
    private SimTime _slowSince;
    /// <summary>The share of the card the slowed kernel runs without: the largest the collectives in flight hold (since <see cref="_slowSince"/>).</summary>
    private double _slowShare;
    private long _slowWorkLeft;
    /// <summary>When kernels rescheduled earlier were first due: their ComputeDone then is stale.</summary>
    private readonly List<SimTime> _staleComputeDone = new();
    /// <summary>The running kernel joins the next tensor-parallel collective when it ends, at <see cref="_joinedAt"/>.</summary>
    private bool _joinedAfterWork;
    private SimTime _joinedAt;
    private const string TpSpanName = "tp collective";
    /// <summary>Tensor-parallel collectives run as rings so far (each its own ring phase).</summary>
    private long _tpSeq;
    /// <summary>A collective started by TpStart has not ended yet (the node runs it), or its ring phase (rings).</summary>
    private bool _tpOpen;
    private int _tpOpenPhase;
    /// <summary>The card is blocked at a TpWait for the open collective.</summary>
    private bool _tpWaiting;
    private long _transferSeq;

    /// <summary>What the card's HBM banks hold (their shares of it): the live-byte high-water mark, rounded up (Reservation).</summary>
    private long _reportedPeak;
    /// <summary>The live-byte high-water mark as of now; the banks are told when it passes what they hold, once per instant.</summary>
    private long _highWater;
    private OomReport? _oom;

    public CardActor(int id, Partition partition, CardSetup setup) : base(id, partition)
    {
        _s = setup;
        _program = setup.Plan.Program;
        _nodeId = setup.Map.Node(setup.Node);
        _nic = setup.Nic is { } link ? new NicSender(link, id, SendAt, Sent) : null;
    }

    public static Props Props(int id, Partition partition, CardSetup setup) =>
        EntityProps.Of(() => new CardActor(id, partition, setup));

    protected override bool Handle(object message)
    {
        FreeSent();
        var handled = React(message);
        if (_slowed && RunningShare() is var share && share != _slowShare) Rerate(share);
        // Growth of this instant goes out once, after everything the message set off.
        if (_highWater > _reportedPeak) ReportGrowth();
        return handled;
    }

    private bool React(object message)
    {
        switch (message)
        {
            case StartStep:
                _started = true;
                _blockedSince = Now;
                // The banks first say which runs of the program they would hold up (they answer at once); then the program runs.
                var plan = new TrafficPlan(_s.Plan.Runs, _program, _s.Banks);
                for (var b = 0; b < _s.Banks; b++) Send(_s.Map.Bank(_s.Card, b), SimTime.Zero, plan);
                if (_s.Banks == 0) Advance();
                return true;
            case TrafficServed served:
                foreach (var (head, serve) in served.Late)
                    _heldRuns[head] = _heldRuns.TryGetValue(head, out var other) ? SimTime.Max(other, serve) : serve;
                if (++_banksAnswered == _s.Banks) Advance();
                return true;
            case ComputeDone:
                // A kernel re-rated since it was scheduled (Rerate) left its earlier ComputeDone behind.
                if (_staleComputeDone.Count > 0 && _staleComputeDone.Remove(Now)) return true;
                _slowed = false;
                // A late HBM stack keeps the run's last kernel going until it has served the run's traffic.
                if (_s.Plan.Runs.EndsRun(_workPc) && _trafficLateUntil > Now) SendAt(Id, _trafficLateUntil, ComputeDone.Instance);
                else Resume();
                return true;
            case TpCollectiveDone when _tpOpen:
                // An asynchronous collective: the card computed on meanwhile, and runs on now only if it has been waiting.
                _tpOpen = false;
                if (!_tpWaiting) return true;
                _tpWaiting = false;
                Resume();
                return true;
            case TpCollectiveDone d:
                if (_joinedAfterWork)
                {
                    // The kernel ended when the card joined; the wait for its peers from then on is tensor-parallel time.
                    _joinedAfterWork = false;
                    Unblock(_joinedAt);
                    Block(TimeKind.TensorParallel, TpSpanName, _joinedAt);
                }
                ReplayChain(d.Ends);
                Resume();
                return true;
            case RdmaDelivered d:
                OnDelivered(d.Write);
                return true;
            case RdmaChunk c:
                // A write's last chunk, landed here by the switch or node that delivered it (FabricActor.Land).
                OnDelivered(c.Write);
                return true;
            case RdmaCompleted c:
                if (c.Write.Kind == TransferKind.Tree) TreeAcknowledged(c.Write);
                else Allocate(MemoryKind.Buffers, -c.Write.Bytes);
                return true;
            case NicReady:
                _nic!.Ready(Now);
                return true;
            case CollectStats s:
                if (_nic?.Stats() is { } nicLink) s.Collector.Links.Add(nicLink);
                return true;
            case ReportAfterBanks r:
                Report(r.End);
                return true;
            case AllocationRejected r:
                _oom ??= new OomReport(_s.Card, r.Bank, Now, r.Requested, r.Live, r.Capacity);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Runs instructions until one blocks.</summary>
    private void Advance()
    {
        while (_pc < _program.Count)
        {
            switch (_program[_pc])
            {
                case Alloc a:
                    Allocate(a.Kind, a.Bytes);
                    _pc++;
                    break;
                case SendInput s:
                    SendToStage(s);
                    _pc++;
                    break;
                case WaitInput w:
                    if (_arrived.Remove((w.Kind, w.Tag))) { _pc++; break; }
                    _waitingFor = (w.Kind, w.Tag);
                    Block(TimeKind.PipelineBubble, w);
                    return;
                case Work w:
                    _workPc = _pc++;
                    StartWork(w);
                    return;
                case TpSync t:
                    _pc++;
                    if (_s.TpSize == 1) break;
                    if (TpRings)
                    {
                        var phase = NextTpPhase();
                        StartRing(RingKind.AllReduce, t.Bytes, phase, RingGroup.Tensor);
                        if (AwaitRing(phase, RingKind.AllReduce, RingGroup.Tensor)) return;
                        break;
                    }
                    Arrive(t.Bytes, _pc - 1, Now);
                    Block(TimeKind.TensorParallel, TpSpanName);
                    return;
                case TpStart t:
                    _pc++;
                    if (_s.TpSize == 1) break;
                    if (TpRings)
                    {
                        _tpOpenPhase = NextTpPhase();
                        StartRing(RingKind.AllReduce, t.Bytes, _tpOpenPhase, RingGroup.Tensor);
                        break;
                    }
                    _tpOpen = true;
                    Arrive(t.Bytes, _pc - 1, Now);
                    break;
                case TpWait:
                    _pc++;
                    if (_s.TpSize == 1) break;
                    if (TpRings)
                    {
                        if (AwaitRing(_tpOpenPhase, RingKind.AllReduce, RingGroup.Tensor)) return;
                        break;
                    }
                    if (!_tpOpen) break;
                    _tpWaiting = true;
                    Block(TimeKind.TensorParallel, TpSpanName);
                    return;
                case RingSync r:
                    _pc++;
                    StartRing(r.Ring, r.Bytes, r.Phase);
                    if (AwaitRing(r.Phase, r.Ring)) return;
                    break;
                case RingStart r:
                    _pc++;
                    StartRing(r.Ring, r.Bytes, r.Phase, r.Group);
                    break;
                case RingWait r:
                    _pc++;
                    if (AwaitRing(r.Phase, r.Ring, r.Group)) return;
                    break;
                default:
                    throw new InvalidOperationException($"unknown instruction {_program[_pc]}");
            }
        }
        if (!_finished) Finish();
    }

    private void StartWork(Work w)
    {
        Block(KindOf(w), w);
        var duration = w.Cost.Duration;
        var runs = _s.Plan.Runs;
        if (runs.StartsRun(_workPc))
        {
            // The run's traffic must be served within its compute (waits for tensor-parallel peers do not count), else its last
            // kernel lasts until the slowest bank is done; the node may run that kernel's collective on its own (a chain).
            _trafficLateUntil = _heldRuns.TryGetValue(_workPc, out var serve) ? Now + serve : SimTime.Zero;
            if (_trafficLateUntil > SimTime.Zero && _s.NodeRunsTp) Send(_nodeId, SimTime.Zero, new RunHeld(_s.Card, _trafficLateUntil));
        }
        // A kernel followed by a tensor-parallel collective joins it when it ends, without waking the card in between; a
        // run's last kernel ends when the banks have served the run's traffic too.
        var endsRun = runs.EndsRun(_workPc);
        if (RunningShare() is > 0 and var share)
        {
            // Beside a collective the kernel has 1 − share of the card while collectives run (Rerate); it cannot join the
            // next tensor-parallel collective ahead, its end not being known yet.
            _slowed = true;
            _slowShare = share;
            _slowSince = Now;
            _slowWorkLeft = duration.Ps;
            Send(Id, new SimTime(SlowedPs(duration.Ps)), ComputeDone.Instance);
            return;
        }
        if (_pc < _program.Count && _program[_pc] is TpSync t && _s.NodeRunsTp)
        {
            _joinedAt = endsRun ? SimTime.Max(Now + duration, _trafficLateUntil) : Now + duration;
            _joinedAfterWork = true;
            Arrive(t.Bytes, _pc++, _joinedAt);
            return;
        }
        Send(Id, duration, ComputeDone.Instance);
    }

    /// <summary>A collective of this card is in flight that kernels can run beside: a ring or tree lane, or an open tensor-parallel one.</summary>
    private bool CollectiveRunning => _rings.Count > 0 || _trees.Count > 0 || _tpOpen;

    /// <summary>The largest share of the card a collective in flight holds (a group spanning nodes takes NCCL's fewer network
    /// channels); 0 with none. Concurrent collectives' CTAs would add up; the largest is taken.</summary>
    private double RunningShare()
    {
        if (!CollectiveRunning) return 0;
        var share = _tpOpen ? _s.CollectiveShare : 0;
        foreach (var ring in _rings.Values) share = Math.Max(share, ring.Share);
        if (_trees.Count > 0) share = Math.Max(share, _s.NetworkCollectiveShare);
        return share;
    }

    /// <summary>Picoseconds <paramref name="fullRatePs"/> of kernel time take with 1 − <see cref="_slowShare"/> of the card.</summary>
    private long SlowedPs(long fullRatePs) => (long)Math.Ceiling(fullRatePs / (1 - _slowShare));

    /// <summary>The collectives beside the running kernel changed (one ended, or a queued one started): what is left of it runs at
    /// 1 − <paramref name="share"/> from now, at the full rate once none is left, ending at another time than first scheduled
    /// (that ComputeDone is then stale).</summary>
    private void Rerate(double share)
    {
        var done = (long)((Now - _slowSince).Ps * (1 - _slowShare));
        var left = Math.Max(0, _slowWorkLeft - done);
        _staleComputeDone.Add(_slowSince + new SimTime(SlowedPs(_slowWorkLeft)));
        if (share <= 0)
        {
            _slowed = false;
            Send(Id, new SimTime(left), ComputeDone.Instance);
            return;
        }
        (_slowShare, _slowSince, _slowWorkLeft) = (share, Now, left);
        Send(Id, new SimTime(SlowedPs(left)), ComputeDone.Instance);
    }

    /// <summary>Tensor-parallel collectives run as ring messages between the cards, not as one event at the node.</summary>
    private bool TpRings => _s.TpNext >= 0;

    /// <summary>First ring phase of tensor-parallel collectives (and how many there are before they wrap).</summary>
    private const int TpRingPhases = 1 << 24;

    /// <summary>Each tensor-parallel ring collective its own phase, above the planner's (which count up from 0); tags are ints.</summary>
    private int NextTpPhase() => TpRingPhases + (int)(_tpSeq++ % TpRingPhases);

    /// <summary>Posts on the group's barrier that this rank arrives at the collective of <paramref name="bytes"/> per rank (at
    /// <paramref name="pc"/>) at <paramref name="at"/>; the last rank to post has the node run it when the last one arrives. A rank
    /// with a collective of its own beside its kernels keeps the node from running the next kernel for the group (its kernels are
    /// slowed, which only the card times); no collective starts while the ranks wait, so this is known at arrival.</summary>
    private void Arrive(long bytes, int pc, SimTime at)
    {
        var busy = RunningShare() > 0;
        if (_s.TpBarrier!.Post(at, busy, out var allArrived, out var anyBusy))
            SendAt(_nodeId, allArrived, _s.TpBarrier.Start(_s.TpLeader, pc, bytes, anyBusy));
    }

    /// <summary>Accounts the kernels and collectives the node ran on in a chain (all but the last end), as the card would have lived them.</summary>
    private void ReplayChain(IReadOnlyList<SimTime> ends)
    {
        for (var i = 0; i + 1 < ends.Count; i++)
        {
            // A collective right after the last: still waiting on the group, tensor-parallel time.
            if (_program[_pc] is TpSync)
            {
                _pc++;
                continue;
            }
            Unblock(ends[i]);
            var w = (Work)_program[_pc];
            _workPc = _pc;
            _pc += 2;
            Block(KindOf(w), w, ends[i]);
            var joined = ends[i] + w.Cost.Duration;
            if (_s.Plan.Runs.EndsRun(_workPc)) joined = SimTime.Max(joined, _trafficLateUntil);
            Unblock(joined);
            Block(TimeKind.TensorParallel, TpSpanName, joined);
        }
    }

    private static TimeKind KindOf(Work w) => w.Phase == WorkPhase.Optimizer ? TimeKind.Optimizer : TimeKind.Compute;

    /// <summary>A span's trace name, made only for sampled cards (formatting one per block cost a few percent of a large step).</summary>
    private static string SpanName(object blockedOn) => blockedOn switch
    {
        Work { Phase: WorkPhase.Forward } w => $"forward {w.MicroBatch}",
        Work { Phase: WorkPhase.Backward } w => $"backward {w.MicroBatch}",
        Work { Phase: WorkPhase.Recompute } w => $"recompute {w.MicroBatch}",
        Work => "optimizer",
        WaitInput w => $"wait {w.Kind.ToString().ToLowerInvariant()} {w.MicroBatch}",
        _ => (string)blockedOn,
    };

    private void SendToStage(SendInput s)
    {
        var dst = s.Kind == TransferKind.Activation ? _s.NextStage : _s.PrevStage;
        Allocate(MemoryKind.Buffers, s.Bytes);
        Post(NewWrite(dst, s.Bytes, s.Kind, s.Tag));
    }

    /// <summary>The card's own NIC put a write's last byte on the wire, leaving at <paramref name="at"/>: a pipeline write's send
    /// buffer is free from then on, as when NCCL or HCCL hands a send back once its data is out (no remote acknowledgement).</summary>
    private void Sent(RdmaWrite w, SimTime at)
    {
        if (w.IsPipeline) _sending.Enqueue((at, w.Bytes));
    }

    /// <summary>Frees the send buffers whose writes have left by now, at the times they left, before anything else the card does now.</summary>
    /// <remarks>Frees only lower the live bytes, so applying one at the card's next event instead of an event of its own changes no
    /// peak: nothing else happens on the card in between.</remarks>
    private void FreeSent()
    {
        while (_sending.TryPeek(out var s) && s.At <= Now)
        {
            _sending.Dequeue();
            Allocate(MemoryKind.Buffers, -s.Bytes, s.At);
        }
    }

    /// <summary>Sends an RDMA write: on the card's own NIC when it leaves the node, else through the node (crossbar, shared NICs, torus).</summary>
    private void Post(RdmaWrite w)
    {
        if (LeavesOnOwnNic(w)) _nic!.Write(w, Now);
        else Send(_nodeId, SimTime.Zero, w);
    }

    /// <summary>Whether the card's own NIC carries <paramref name="w"/>: it drives one, and the write leaves the node (or loops back through it).</summary>
    private bool LeavesOnOwnNic(RdmaWrite w) => _nic is not null && (w.Loopback || w.DstCard / _s.Nic!.Spec.CardsPerNode != _s.Node);

    /// <summary>Posts a write <paramref name="delay"/> from now (a flat ring's extra step latency, CardSetup.DpStepDelay). Only same-node
    /// writes are delayed, and they go through the node as <see cref="Post"/> sends them; one the card's own NIC would carry is refused
    /// rather than sent round it.</summary>
    private void PostAfter(SimTime delay, RdmaWrite w)
    {
        if (delay <= SimTime.Zero)
        {
            Post(w);
            return;
        }
        if (LeavesOnOwnNic(w))
            throw new InvalidOperationException($"card {_s.Card}: a delayed ring step to card {w.DstCard} would leave the node; only same-node steps pay a flat ring's latency");
        Send(_nodeId, delay, w);
    }

    private RdmaWrite NewWrite(int dstCard, long bytes, TransferKind kind, int tag, bool reverse = false, int meshLinks = 1) =>
        new(((long)_s.Card << 32) | _transferSeq++, _s.Card, dstCard, bytes, kind, tag, reverse) { MeshLinks = meshLinks };

    private void OnDelivered(RdmaWrite w)
    {
        if (w.Kind == TransferKind.Ring)
        {
            RingReceived(w.Tag);
            return;
        }
        if (w.Kind == TransferKind.Tree)
        {
            TreeReceived(w.Tag);
            return;
        }
        var key = (w.Kind, w.Tag);
        if (_waitingFor == key)
        {
            _waitingFor = null;
            _pc++;
            Resume();
            return;
        }
        _arrived.Add(key);
    }

    /// <summary>Ends the current blocking span and runs on.</summary>
    private void Resume()
    {
        Unblock();
        Advance();
    }

    private void Block(TimeKind kind, object name) => Block(kind, name, Now);

    /// <summary>Starts a blocking span; <paramref name="name"/> is its trace name or the Work or WaitInput it is named after.</summary>
    private void Block(TimeKind kind, object name, SimTime since)
    {
        _blockedAs = kind;
        _blockedSince = since;
        _blockedOn = name;
    }

    private void Unblock() => Unblock(Now);

    /// <summary>Ends the current blocking span at <paramref name="at"/> (now, or when a kernel that joined a collective ended).</summary>
    private void Unblock(SimTime at)
    {
        _time[(int)_blockedAs] += (at - _blockedSince).Ps;
        if (!_s.Sampled || at == _blockedSince) return;
        var category = _blockedAs switch
        {
            TimeKind.Compute or TimeKind.Optimizer => "compute",
            TimeKind.PipelineBubble => "idle",
            _ => "communication",
        };
        var name = SpanName(_blockedOn);
        if (_spans.Count > 0 && _spans[^1].End == _blockedSince && _spans[^1].Name == name)
            _spans[^1] = _spans[^1] with { End = at };
        else
            _spans.Add(new TraceSpan(_blockedSince, at, name, category));
    }

    private void Allocate(MemoryKind kind, long bytes) => Allocate(kind, bytes, Now);

    private void Allocate(MemoryKind kind, long bytes, SimTime at)
    {
        if (bytes == 0) return;
        _ledger.Add(kind, bytes);
        if (_s.Sampled) _hbmSamples.Add((at, _ledger.Live));
        // Once a bank refused, the banks no longer mirror the card's demand. Below the high-water mark the banks already
        // hold, no allocation can overflow a stack, so only growth past it is told: each bank holds its share of the peak.
        if (_oom is null) _highWater = Math.Max(_highWater, _ledger.Live);
    }

    /// <summary>Grows what the banks hold to cover the high-water mark: one message per bank and instant however many buffers grew.</summary>
    private void ReportGrowth()
    {
        var reserve = Reservation(_highWater);
        for (var b = 0; b < _s.Banks; b++)
        {
            var growth = HbmBankActor.Share(reserve, b, _s.Banks) - HbmBankActor.Share(_reportedPeak, b, _s.Banks);
            if (growth > 0) Send(_s.Map.Bank(_s.Card, b), SimTime.Zero, new Allocate(growth));
        }
        _reportedPeak = reserve;
    }

    /// <summary>Grains of the card's HBM the banks are told growth in.</summary>
    private const int ReservationGrains = 64;

    /// <summary>What the banks hold for a high-water mark: rounded up to a 1/64 of the card's HBM, as a caching allocator
    /// reserves memory in segments, but never past the capacity unless the mark itself is, so that a stack refuses exactly
    /// when the card first needs more than its HBM.</summary>
    /// <remarks>Telling every rise of the mark cost a fifth of a large step's events (activations grow op by op through the
    /// pipeline's warm-up); in grains a card tells its banks a few dozen times a step.</remarks>
    private long Reservation(long peak)
    {
        var capacity = _s.HbmCapacity;
        if (capacity <= 0 || peak > capacity) return peak;
        var grain = Math.Max(1, capacity / ReservationGrains);
        return Math.Min(capacity, (peak + grain - 1) / grain * grain);
    }

    private void Finish()
    {
        _finished = true;
        if (!_started) throw new InvalidOperationException("program ran before the step started");
        if (_highWater > _reportedPeak)
        {
            // The program's last instant grew the card's memory: the banks answer at this instant, so report once they have.
            ReportGrowth();
            SendAt(Id, Now + new SimTime(1), new ReportAfterBanks(Now));
            return;
        }
        Report(Now);
    }

    /// <summary>Tells the job how the card's step went; <paramref name="end"/> is when its program ended.</summary>
    private void Report(SimTime end)
    {
        var report = new CardReport(_s.Card, end, (long[])_time.Clone(), _s.Plan.ExecutedFlops, _ledger.Peak,
            Enum.GetValues<MemoryKind>().Select(_ledger.AtPeak).ToArray(), _oom, _spans.ToArray(), _hbmSamples.ToArray());
        // From now, not from the end: a deferred report is a picosecond late, and a message to another partition may not
        // take less than the control latency (the lookahead). The job reads the end from the report.
        Send(_s.Map.Job, _s.ControlLatency, new CardFinished(report));
    }
}
