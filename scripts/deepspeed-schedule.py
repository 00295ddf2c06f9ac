#!/usr/bin/env python3
"""Replays DeepSpeed's pipeline TrainSchedule with blocking sends and receives, against asynchronous 1F1B.

Why: DeepSpeed's pipeline engine (deepspeed/runtime/pipe/schedule.py, TrainSchedule) sends and receives synchronously,
so each send waits for its neighbour's matching receive. This replays its instruction order (a send is issued one step
after the pass that produced it, before the next pass) with every pass taking F or B and every send/receive pair taking
C once both sides reach it, and compares the makespan with Megatron-style 1F1B whose sends never wait (transfer time
not counted there). It answers whether the pairing itself costs time: with C = 0 both give (m + p - 1)(F + B).

Usage: scripts/deepspeed-schedule.py [p m F B C]   (default: the MT-NLG 530B plan, p 35, m 240, F 1, B 3, C 0 and 0.01)
"""
import sys


def deepspeed_program(p, m, s):
    """Stage s's instructions in TrainSchedule order: ('F'|'B', mb) passes and ('send'|'recv', kind, mb, peer)."""
    ops, prev = [], -1
    valid = lambda mb: 0 <= mb < m
    for t in range(2 * (m + p - 1)):
        forward = (t + s) % 2 == 0
        if forward:
            mb = (t - s % 2) // 2 - s // 2
        elif s % 2 == 1:
            mb = t // 2 - p + (s + 1) // 2
        else:
            mb = (t - 1) // 2 - p + 1 + s // 2
        if forward:
            if valid(prev) and s > 0: ops.append(('send', 'grad', prev, s - 1))
            if valid(mb) and s > 0: ops.append(('recv', 'act', mb, s - 1))
        else:
            if valid(mb) and s < p - 1: ops.append(('recv', 'grad', mb, s + 1))
            if valid(prev) and s < p - 1: ops.append(('send', 'act', prev, s + 1))
        if valid(mb): ops.append(('F' if forward else 'B', mb))
        prev = mb
    return ops


def run_deepspeed(p, m, F, B, C):
    progs = [deepspeed_program(p, m, s) for s in range(p)]
    pc, clock, pairs = [0] * p, [0.0] * p, {}
    while any(pc[s] < len(progs[s]) for s in range(p)):
        moved = False
        for s in range(p):
            while pc[s] < len(progs[s]):
                op = progs[s][pc[s]]
                if op[0] in ('F', 'B'):
                    clock[s] += F if op[0] == 'F' else B
                else:
                    side, kind, mb, peer = op
                    key = (kind, mb) + ((s, peer) if side == 'send' else (peer, s))
                    pair = pairs.setdefault(key, {})
                    pair.setdefault(side, clock[s])
                    if 'send' in pair and 'recv' in pair:
                        pair['done'] = max(pair['send'], pair['recv']) + C
                    if 'done' not in pair: break
                    clock[s] = pair['done']
                pc[s] += 1
                moved = True
        if not moved: raise SystemExit('deadlock')
    return max(clock)


def run_async_1f1b(p, m, F, B):
    progs = []
    for s in range(p):
        warm = min(p - s - 1, m)
        ops, f = [('F', i) for i in range(warm)], warm
        for b in range(m):
            if f < m: ops.append(('F', f)); f += 1
            ops.append(('B', b))
        progs.append(ops)
    fend, bend, clock, pc = {}, {}, [0.0] * p, [0] * p
    while any(pc[s] < len(progs[s]) for s in range(p)):
        moved = False
        for s in range(p):
            while pc[s] < len(progs[s]):
                kind, mb = progs[s][pc[s]]
                dep = (fend.get((s - 1, mb)) if s > 0 else 0.0) if kind == 'F' else \
                      (bend.get((s + 1, mb)) if s < p - 1 else fend.get((s, mb)))
                if dep is None: break
                clock[s] = max(clock[s], dep) + (F if kind == 'F' else B)
                (fend if kind == 'F' else bend)[(s, mb)] = clock[s]
                pc[s] += 1
                moved = True
        if not moved: raise SystemExit('deadlock')
    return max(clock)


def parse_case(args):
    """p m F B C from the command line: p and m whole numbers >= 1, F and B > 0, C >= 0; exits 2 with the usage if not."""
    usage = 'usage: scripts/deepspeed-schedule.py [p m F B C]   (p stages, m microbatches: whole numbers >= 1; ' \
            'F, B: forward and backward time > 0; C: send/receive time >= 0)'
    try:
        if len(args) != 5: raise ValueError(f'expected 5 numbers or none, got {len(args)}')
        p, m = int(args[0]), int(args[1])
        F, B, C = (float(a) for a in args[2:])
        if p < 1 or m < 1 or not F > 0 or not B > 0 or not C >= 0: raise ValueError('a value is out of range')
    except ValueError as e:
        print(f'deepspeed-schedule.py: {e}\n{usage}', file=sys.stderr)
        sys.exit(2)
    return p, m, F, B, C


if __name__ == '__main__':
    if sys.argv[1:2] in (['-h'], ['--help']):
        print(__doc__.strip())
        sys.exit(0)
    cases = [parse_case(sys.argv[1:])] if len(sys.argv) > 1 else [(35, 240, 1, 3, 0), (35, 240, 1, 3, 0.01)]
    print('p m F B C | async 1F1B | DeepSpeed blocking | ratio')
    for p, m, F, B, C in cases:
        a, d = run_async_1f1b(p, m, F, B), run_deepspeed(p, m, F, B, C)
        print(f'{p} {m} {F:g} {B:g} {C:g} | {a:g} | {d:g} | {d / a:.4f}')
