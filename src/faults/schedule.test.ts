import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSchedule, resolveTimeline, stepMatches, describeEntry } from './schedule.js';
import { UsageError } from '../core/errors.js';

const members = ['m1', 'm2', 'm3'];

const yaml = `
seed: 7
faults:
  - name: flaky
    fault: abort
    target: all
    rate: 5%
    methods: [/etcdserverpb.KV/*]
  - fault: partition
    target: any
    after: hop1/m1/start
    at: 1s..9s
    for: 10s
  - fault: latency
    target: { link: [m1, m2] }
    latency: 75ms
    jitter: 50ms
  - fault: kill
    target: m3
    after: hop1/*/wait-ready
`;

test('schedule: parsed with defaults (abort code UNAVAILABLE, names f<n>), kill is one-shot', () => {
  const s = parseSchedule(yaml, 'f.yaml');
  assert.equal(s.seed, 7);
  assert.deepEqual(s.faults.map((f) => f.id), ['flaky', 'f2', 'f3', 'f4']);
  assert.equal(s.faults[0]!.params.code, 14);
  assert.equal(s.faults[0]!.params.codeName, 'UNAVAILABLE');
  assert.equal(s.faults[0]!.params.rate, 0.05);
  assert.deepEqual(s.faults[1]!.at, { minMs: 1000, maxMs: 9000 });
  assert.equal(s.faults[3]!.forMs, 0);
  assert.equal(s.faults[0]!.forMs, null);
});

test('timeline: same schedule and seed give the same timeline; another seed may draw differently', () => {
  const s = parseSchedule(yaml, 'f.yaml');
  const a = resolveTimeline(s, 42, members);
  const b = resolveTimeline(s, 42, [...members].reverse());
  assert.deepEqual(a, b);
  const draws = new Set<string>();
  for (let seed = 0; seed < 30; seed++) {
    const t = resolveTimeline(s, seed, members);
    const p = t.entries[1]!;
    assert.ok(p.offsetMs >= 1000 && p.offsetMs <= 9000);
    assert.equal(p.target.members.length, 1);
    draws.add(`${p.target.members[0]}@${p.offsetMs}`);
  }
  assert.ok(draws.size > 5, 'the seed changes the draws');
  assert.deepEqual(resolveTimeline(s, 42, members).entries[0]!.target, { kind: 'member', members });
  assert.match(describeEntry(a.entries[0]!), /abort 5% with UNAVAILABLE on \/etcdserverpb\.KV\/\* -> m1,m2,m3/);
});

test('timeline: an unknown member is refused naming the members', () => {
  const s = parseSchedule('faults: [{fault: pause, target: m9, for: 1s}]');
  assert.throws(() => resolveTimeline(s, 1, members), (e: unknown) => e instanceof UsageError && /"m9"/.test(e.message) && e.hint === "members: m1, m2, m3");
});

test('schedule errors name the dotted path and the line', () => {
  const cases: [string, RegExp][] = [
    ['faults:\n  - fault: abort\n    target: m1\n', /faults\.0\.rate \(line 2\): abort needs a rate/],
    ['faults:\n  - fault: abort\n    target: m1\n    rate: 150%\n', /faults\.0\.rate \(line 4\):.*not a rate/],
    ['faults:\n  - fault: abort\n    target: m1\n    rate: 5%\n    code: NOPE\n', /faults\.0\.code \(line 5\):.*not a gRPC error status/],
    ['faults:\n  - fault: latency\n    target: m1\n    latency: 10ms\n', /faults\.0\.target \(line 3\): latency acts on raft peer links.*fault: delay/],
    ['faults:\n  - fault: frobnicate\n    target: m1\n', /faults\.0\.fault \(line 2\)/],
    ['faults:\n  - fault: pause\n    target: m1\n', /faults\.0\.for.*needs `for`/],
    ['faults:\n  - fault: kill\n    target: m1\n    for: 1s\n', /faults\.0\.for \(line 4\): a kill is one-shot/],
    ['faults:\n  - fault: delay\n    target: m1\n    latency: soon\n', /faults\.0\.latency \(line 4\): cannot read "soon"/],
    ['faults:\n  - fault: delay\n    target: m1\n    latency: 1s\n    bandwidth: 1KB/s\n', /faults\.0\.bandwidth \(line 5\): not a parameter of delay/],
    ['faults:\n  - fault: abort\n    target: m1\n    rate: 1%\n    colour: red\n', /faults\.0 \(line 2\): unknown key\(s\) colour/],
    ['faults:\n  - fault: reset\n    target: { link: [m1, m1] }\n', /faults\.0\.target.*two different members/],
    ['faults:\n  - fault: partition\n    target: all\n', /faults\.0\.target.*takes the cluster down/],
    ['faults:\n  - fault: delay\n    target: m1\n    latency: 1s\n    at: 9s..1s\n', /faults\.0\.at \(line 5\): the range 9s\.\.1s ends before it starts/],
    ['faults:\n  - { fault: reset, target: m1, name: a }\n  - { fault: reset, target: m2, name: a }\n', /faults\.1\.name.*used twice/],
    ['faults: [ {fault: abort\n', /\(file\).*not valid YAML/],
    ['seed: 1\n', /faults.*(expected array|Invalid input)/],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => parseSchedule(text, 'f.yaml'), (e: unknown) => e instanceof UsageError && e.exitCode === 2 && re.test(e.message), `${JSON.stringify(text)} should fail with ${re}`);
  }
});

test('step patterns: * matches within one part of a step id', () => {
  assert.ok(stepMatches('hop1/m1/start', 'hop1/m1/start'));
  assert.ok(stepMatches('hop1/*/start', 'hop1/m2/start'));
  assert.ok(!stepMatches('hop1/*/start', 'hop1/m2/wait-ready'));
  assert.ok(!stepMatches('hop1/*', 'hop1/m2/start'));
  assert.ok(stepMatches('baseline', 'baseline'));
  assert.ok(!stepMatches('hop1.m1', 'hop1/m1'));
});
