#!/usr/bin/env python3
"""Summarise one Frama-C/WP run for proofs/prove and decide the proof gate.

WP's own JSON report (-wp-report-json) counts, per property, every prover that
succeeded (racing provers are double counted) and has no times, so the
per-goal facts come from WP's console lines instead:
    [wp] [CVC4 1.8] Goal typed_sum_assert_rte_mem_access : Valid (Qed:7ms) (50ms) (15607) (cached)
    [wp] [Failed] Goal typed_bad_assert_false
      Z3 4.8.12: Timeout (Qed:0.84ms) (3s)
The JSON report only supplies the names of functions and lemmas.
The gate never trusts the parse alone: it also needs frama-c's exit status
(the report plugin fails on any Unknown property) and WP's own
"Proved goals: N / M" line to agree.
"""
import argparse
import json
import re
import sys
from collections import Counter, defaultdict

GOAL = re.compile(r'^\[wp\] \[(?P<who>[^\]]+)\] Goal (?P<goal>\S+)(?: : (?P<status>[^(]*?))?\s*(?P<rest>\(.*)?$')
TOTALS = re.compile(r'^\[wp\] Proved goals:\s+(\d+) / (\d+)')
LEMMAS = '(lemmas)'


def seconds(text):
    """WP durations: 7ms, 0.84ms, 3s, 1.5s, 2'03s, 1h02'03s (None if not one)."""
    m = re.fullmatch(r'(?:(\d+)h)?(?:(\d+)\')?(?:([\d.]+)s)?|([\d.]+)ms', text)
    if not m or not text:
        return None
    h, mi, s, ms = m.groups()
    if ms:
        return float(ms) / 1000
    return int(h or 0) * 3600 + int(mi or 0) * 60 + float(s or 0)


def parse_log(path):
    goals, totals, failing = [], None, False
    with open(path, errors='replace') as f:
        for line in f:
            line = line.rstrip('\n')
            m = GOAL.match(line)
            if failing and not line.startswith('  '):
                failing = False
            if m:
                status = (m['status'] or m['who']).strip()
                groups = re.findall(r'\(([^()]*)\)', m['rest'] or '')
                times = [seconds(g) for g in groups if not g.startswith('Qed:')]
                times = [t for t in times if t is not None]
                goals.append({'goal': m['goal'], 'prover': m['who'].split()[0],
                              'status': status, 'proved': status == 'Valid',
                              'time': times[0] if times else 0.0,
                              'cached': 'cached' in groups, 'detail': []})
                failing = status != 'Valid'
            elif failing:
                # One line per prover that failed: count the longest attempt.
                g = goals[-1]
                g['detail'].append(line.strip())
                times = [seconds(t) for t in re.findall(r'\(([^()]*)\)', line)]
                g['time'] = max([g['time']] + [t for t in times if t is not None])
            elif TOTALS.match(line):
                totals = tuple(map(int, TOTALS.match(line).groups()))
    return goals, totals


def owners(path, log):
    """Function names and lemma goal names, longest first.

    Goal names are <model prefix><function>_<kind> (kind: assert_rte_...,
    loop_invariant_..., call_<callee>_requires, ...) or <model prefix>lemma_<name>.
    Function names come from WP's JSON report or, when frama-c stopped before
    writing it, from the functions RTE annotated."""
    try:
        with open(path) as f:
            report = json.load(f)
        fns = list(report.get('wp:functions', {}))
        lemmas = [p for props in report.get('wp:axiomatics', {}).values()
                  for p in props if not p.startswith('wp:')]
    except (OSError, ValueError):
        with open(log, errors='replace') as f:
            fns = re.findall(r'^\[rte:annot\] annotating function (\S+)$', f.read(), re.M)
        lemmas = []
    by_length = lambda names: sorted(set(names), key=len, reverse=True)
    return by_length(lemmas), by_length(fns)


def owner(goal, prefix, names):
    lemmas, fns = names
    rest = goal[len(prefix):] if goal.startswith(prefix) else goal
    for lemma in lemmas:
        if rest == lemma or rest.startswith(lemma + '_'):
            return LEMMAS, rest
    for fn in fns:   # longest first: fr_add_u64 before fr_add
        if rest.startswith(fn + '_'):
            return fn, rest[len(fn) + 1:]
    return '(unknown)', rest


def read_expected(path):
    table = {}
    with open(path) as f:
        for line in f:
            fields = line.split()
            if len(fields) == 3 and not line.startswith('#'):
                table[fields[0]] = (int(fields[1]), int(fields[2]))
    return table


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--pass', dest='pass_')
    for opt in ('prefix', 'report', 'wall', 'expected'):
        ap.add_argument('--' + opt)
    # One --log/--wp-json pair per frama-c process of the pass (shards).
    ap.add_argument('--log', action='append', required=True)
    ap.add_argument('--wp-json', action='append', required=True)
    ap.add_argument('--frama-c-rc', type=int, default=0)
    ap.add_argument('--update-expected', action='store_true')
    a = ap.parse_args()

    goals, wp_totals = [], (0, 0)
    lemmas, fns = [], []
    for log, wp_json in zip(a.log, a.wp_json):
        shard_goals, shard_totals = parse_log(log)
        goals += shard_goals
        if wp_totals is not None and shard_totals is not None:
            wp_totals = (wp_totals[0] + shard_totals[0], wp_totals[1] + shard_totals[1])
        elif shard_goals:
            wp_totals = None
        shard_lemmas, shard_fns = owners(wp_json, log)
        lemmas += shard_lemmas
        fns += shard_fns
    by_length = lambda names: sorted(set(names), key=len, reverse=True)
    names = (by_length(lemmas), by_length(fns))
    funcs = defaultdict(lambda: {'proved': 0, 'total': 0, 'provers': Counter(),
                                 'time_s': 0.0, 'unproved': []})
    unproved = []
    for g in goals:
        fn, kind = owner(g['goal'], a.prefix, names)
        f = funcs[fn]
        f['total'] += 1
        f['time_s'] += g['time']
        if g['proved']:
            f['proved'] += 1
            f['provers'][g['prover']] += 1
        else:
            f['unproved'].append(g['goal'])
            unproved.append({'function': fn, 'kind': kind, 'goal': g['goal'],
                             'status': g['status'], 'detail': g['detail']})
    proved = sum(f['proved'] for f in funcs.values())
    total = len(goals)
    t0, t1 = (float(x.replace(',', '.')) for x in a.wall.split())

    problems = []
    if a.frama_c_rc != 0:
        problems.append(f'frama-c exited with status {a.frama_c_rc}')
    if wp_totals is None and total:
        problems.append('WP printed no "Proved goals" line')
    elif wp_totals and wp_totals != (proved, total):
        problems.append(f'parsed {proved}/{total} goals but WP says {wp_totals[0]}/{wp_totals[1]}')
    if unproved:
        problems.append(f'{len(unproved)} goal(s) unproved')

    # Table.
    rows = [(fn, f"{f['proved']}/{f['total']}",
             ', '.join(f'{p} {n}' for p, n in f['provers'].most_common()),
             f"{f['time_s']:.2f}s") for fn, f in sorted(funcs.items())]
    mix = sum((f['provers'] for f in funcs.values()), Counter())
    rows.append(('TOTAL', f'{proved}/{total}', ', '.join(f'{p} {n}' for p, n in mix.most_common()),
                 f"{sum(f['time_s'] for f in funcs.values()):.2f}s"))
    head = ('function', 'proved/total', 'prover mix', 'prover time')
    width = [max(len(r[i]) for r in rows + [head]) for i in range(4)]
    for i, r in enumerate([head] + rows):
        if i == 1 or r[0] == 'TOTAL':
            print('  '.join('-' * w for w in width))
        print('  '.join(c.ljust(w) for c, w in zip(r, width)).rstrip())
    cached = sum(g['cached'] for g in goals)
    print(f'wall time {t1 - t0:.1f}s; {cached} prover result(s) replayed from cache')
    for u in unproved:
        print(f"UNPROVED {u['function']}: {u['kind']} [{u['status']}] {'; '.join(u['detail'])}".rstrip())

    # Expectations.
    expected, regressions = None, []
    if a.expected and a.update_expected:
        with open(a.expected, 'w') as f:
            for fn in sorted(funcs):
                f.write(f"{fn} {funcs[fn]['proved']} {funcs[fn]['total']}\n")
            f.write(f'TOTAL {proved} {total}\n')
        print(f'wrote {a.expected}')
    elif a.expected:
        try:
            expected = read_expected(a.expected)
        except OSError:
            print(f'note: no {a.expected}; create it with --update-expected')
    if expected:
        for fn, (p, _) in sorted(expected.items()):
            now = proved if fn == 'TOTAL' else funcs[fn]['proved'] if fn in funcs else 0
            if now < p:
                regressions.append(f'{fn}: {now} goals proved, expected {p}')
        if regressions:
            problems.append('proved counts below proofs/' + a.expected.split('/')[-1])
        elif expected.get('TOTAL', (0, 0)) != (proved, total):
            print('note: counts grew; record them with --update-expected')
        for r in regressions:
            print('REGRESSION ' + r)

    with open(a.report, 'w') as f:
        json.dump({'pass': a.pass_, 'proved': proved, 'total': total,
                   'wall_time_s': round(t1 - t0, 3),
                   'prover_time_s': round(sum(g['time'] for g in goals), 3),
                   'provers': dict(mix), 'cached_results': cached,
                   'frama_c_exit': a.frama_c_rc,
                   'functions': {fn: dict(f, provers=dict(f['provers']), time_s=round(f['time_s'], 3))
                                 for fn, f in sorted(funcs.items())},
                   'unproved': unproved,
                   'expected': expected and dict(zip(('proved', 'total'), expected.get('TOTAL', (0, 0)))),
                   'regressions': regressions, 'problems': problems}, f, indent=2)
        f.write('\n')

    exp = (f" (expected {expected['TOTAL'][0]})" if expected and 'TOTAL' in expected else '')
    for path in a.log:
        with open(path, errors='replace') as f:
            log = f.readlines()
        if a.frama_c_rc and not any('Classified errors found' in l for l in log):
            # Not the report plugin's verdict: frama-c itself stopped.
            print(f'--- end of frama-c output ({path}):')
            print(''.join(log[-25:]), end='')
    verdict = f"WP {a.pass_}: {proved}/{total} goals proved{exp}"
    print(verdict + (' FAILED: ' + '; '.join(problems) if problems else ''))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
