/**
 * Table-driven tests of the pure planner over the rule set (no etcd needed), plus the CLI's exit codes
 * and output contract for `upshift plan` with --from.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { plan } from '../src/plan/planner.js';
import { parseConfigText } from '../src/plan/config.js';
import type { ClusterFacts, ConfigSource, Plan, PlanInput } from '../src/plan/types.js';
import { UsageError } from '../src/core/errors.js';
import { runCliInProcess } from './support/cli.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const codes = (p: Plan, severity?: string): string[] => p.findings.filter((f) => !severity || f.severity === severity).map((f) => f.code);
const cfg = (file: string, text: string): ConfigSource => parseConfigText(file, text);

describe('upgrade paths', () => {
  const cases: { name: string; input: PlanInput; path: string[]; kinds: string[]; blockers?: string[]; infos?: string[] }[] = [
    { name: '3.3 -> 3.5 is two minor hops through the latest 3.4', input: { from: '3.3.25', to: '3.5.33' }, path: ['3.3.25', '3.4.45', '3.5.33'], kinds: ['minor', 'minor'], infos: ['not-latest-patch'] },
    { name: '3.3 -> 3.5.30 ends on the pinned target', input: { from: '3.3.25', to: '3.5.30' }, path: ['3.3.25', '3.4.45', '3.5.30'], kinds: ['minor', 'minor'] },
    { name: '3.5.16 -> 3.6 goes through the 3.5.32+ floor first', input: { from: '3.5.16', to: '3.6.14' }, path: ['3.5.16', '3.5.36', '3.6.14'], kinds: ['patch', 'minor'], infos: ['patch-floor'] },
    { name: '3.5.32 is at the floor: one hop', input: { from: '3.5.32', to: '3.6.14' }, path: ['3.5.32', '3.6.14'], kinds: ['minor'] },
    { name: '--via pins the floor patch', input: { from: '3.5.16', to: '3.6.14', via: ['3.5.32'] }, path: ['3.5.16', '3.5.32', '3.6.14'], kinds: ['patch', 'minor'] },
    { name: '--via below the floor is a blocker', input: { from: '3.5.16', to: '3.6.14', via: ['3.5.20'] }, path: ['3.5.16', '3.5.20', '3.6.14'], kinds: ['patch', 'minor'], blockers: ['patch-floor'] },
    { name: '3.6 -> 3.7 needs 3.6.11+', input: { from: '3.6.5', to: '3.7.1' }, path: ['3.6.5', '3.6.17', '3.7.1'], kinds: ['patch', 'minor'], infos: ['patch-floor'] },
    { name: '3.6.11 -> 3.7 directly', input: { from: '3.6.11', to: '3.7.0' }, path: ['3.6.11', '3.7.0'], kinds: ['minor'] },
    { name: '3.4 -> 3.7 crosses both floors via latest patches', input: { from: '3.4.23', to: '3.7.1', authEnabled: false }, path: ['3.4.23', '3.5.36', '3.6.17', '3.7.1'], kinds: ['minor', 'minor', 'minor'] },
    { name: 'patch upgrade', input: { from: '3.5.16', to: '3.5.30' }, path: ['3.5.16', '3.5.30'], kinds: ['patch'] },
    { name: '3.2 -> 3.3', input: { from: '3.2.32', to: '3.3.27' }, path: ['3.2.32', '3.3.27'], kinds: ['minor'] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const p = plan(c.input);
      assert.equal(p.direction, 'upgrade');
      assert.deepEqual(p.path, c.path);
      assert.deepEqual(p.hops.map((h) => h.kind), c.kinds);
      assert.deepEqual(p.hops.map((h) => [h.from, h.to]), c.path.slice(1).map((v, i) => [c.path[i], v]));
      assert.deepEqual(codes(p, 'blocker'), c.blockers ?? []);
      assert.equal(p.blocked, (c.blockers ?? []).length > 0);
      for (const i of c.infos ?? []) assert.ok(codes(p, 'info').includes(i), `expected info ${i}: ${codes(p)}`);
    });
  }
});

describe('hop rules', () => {
  test('auth enabled blocks the rolling 3.4 -> 3.5 hop', () => {
    const p = plan({ from: '3.4.23', to: '3.5.30', authEnabled: true });
    assert.ok(codes(p, 'blocker').includes('auth-rolling-3.4-3.5'));
    assert.equal(p.hops[0]!.rolling, false);
    assert.match(p.hops[0]!.steps[0]!, /NOT ROLLING/);
    assert.ok(p.blocked);
  });
  test('auth off: rolling, no blocker; auth unknown: a warning', () => {
    const off = plan({ from: '3.4.23', to: '3.5.30', authEnabled: false });
    assert.equal(off.hops[0]!.rolling, true);
    assert.deepEqual(codes(off, 'blocker'), []);
    const unknown = plan({ from: '3.4.23', to: '3.5.30' });
    assert.ok(codes(unknown, 'warning').includes('auth-status-unknown'));
    assert.equal(unknown.blocked, false);
  });
  test('auth 3.3 -> 3.5 is blocked on the second hop only', () => {
    const p = plan({ from: '3.3.25', to: '3.5.30', authEnabled: true });
    assert.deepEqual(p.hops.map((h) => h.rolling), [true, false]);
    assert.equal(p.findings.find((f) => f.code === 'auth-rolling-3.4-3.5')?.hop, '3.4.45 -> 3.5.30');
  });
  test('v2 store in use blocks 3.5 -> 3.6; unknown warns; the check is a step either way', () => {
    const inUse = plan({ from: '3.5.33', to: '3.6.14', v2Store: 'in-use' });
    assert.ok(codes(inUse, 'blocker').includes('v2store-clean-before-3.6'));
    const unknown = plan({ from: '3.5.33', to: '3.6.14' });
    assert.ok(codes(unknown, 'warning').includes('v2store-check-before-3.6'));
    for (const p of [inUse, unknown]) {
      assert.ok(p.hops[0]!.actions.some((a) => a.type === 'precheck' && /etcdutl check v2store/.test(a.command ?? '')));
      assert.ok(p.hops[0]!.steps.some((s) => s.includes('etcdutl check v2store')));
    }
  });
  test('data dir 0700 when landing on 3.4.10-3.4.12, not when jumping over', () => {
    assert.ok(codes(plan({ from: '3.4.9', to: '3.4.11' }), 'warning').includes('data-dir-mode-0700'));
    assert.ok(!codes(plan({ from: '3.4.9', to: '3.4.23' })).includes('data-dir-mode-0700'));
    assert.ok(codes(plan({ from: '3.3.22', to: '3.3.24' }), 'warning').includes('data-dir-mode-0700'));
  });
  test('EOL target, known-bad patches', () => {
    assert.ok(codes(plan({ from: '3.3.25', to: '3.4.45' }), 'warning').includes('version-eol'));
    assert.ok(codes(plan({ from: '3.5.0', to: '3.5.2' }), 'warning').includes('known-bad-patch'));
    assert.ok(!codes(plan({ from: '3.5.30', to: '3.6.14' })).includes('version-eol'));
  });
  test('steps: backup, health, per-member order, cluster version bump', () => {
    const p = plan({ from: '3.4.23', to: '3.5.30', authEnabled: false });
    const types = p.hops[0]!.actions.map((a) => a.type);
    assert.deepEqual(types, ['check-health', 'check-version', 'backup', 'upgrade-member', 'move-leader', 'upgrade-member', 'wait-cluster-version']);
    assert.equal(p.hops[0]!.steps.length, types.length);
    const p36 = plan({ from: '3.5.33', to: '3.6.14' });
    assert.deepEqual(p36.hops[0]!.actions.slice(-2).map((a) => a.type), ['wait-cluster-version', 'wait-storage-version']);
    const patch = plan({ from: '3.5.16', to: '3.5.30' });
    assert.ok(!patch.hops[0]!.actions.some((a) => a.type === 'wait-cluster-version'), 'a patch hop does not move the cluster version');
  });
  test('known members: followers first (by name), leader last after move-leader', () => {
    const cluster: ClusterFacts = {
      members: [
        { name: 'm2', id: 'b', isLeader: true, isLearner: false, version: '3.5.30', reachable: true },
        { name: 'm3', id: 'c', isLeader: false, isLearner: false, version: '3.5.30', reachable: true },
        { name: 'm1', id: 'a', isLeader: false, isLearner: false, version: '3.5.30', reachable: true },
      ],
    };
    const p = plan({ from: '3.5.30', to: '3.5.33', cluster });
    const seq = p.hops[0]!.actions.filter((a) => a.type === 'upgrade-member' || a.type === 'move-leader').map((a) => `${a.type}:${a.member}`);
    assert.deepEqual(seq, ['upgrade-member:m1', 'upgrade-member:m3', 'move-leader:m2', 'upgrade-member:m2']);
    assert.match(p.hops[0]!.steps.join('\n'), /Member m2 \(leader, last\)/);
    assert.equal(p.assumptions.members, 3);
  });
  test('mixed versions and unreachable members are reported', () => {
    const cluster: ClusterFacts = {
      members: [
        { name: 'a', id: '1', isLeader: true, isLearner: false, version: '3.5.30', reachable: true },
        { name: 'b', id: '2', isLeader: false, isLearner: false, version: '3.5.33', reachable: true },
        { name: 'c', id: '3', isLeader: false, isLearner: false, reachable: false },
      ],
    };
    const p = plan({ from: '3.5.30', to: '3.5.33', cluster });
    assert.ok(codes(p, 'warning').includes('mixed-version'));
    assert.ok(codes(p, 'blocker').includes('member-unreachable'));
    assert.ok(codes(plan({ from: '3.5.30', to: '3.5.33', cluster: { ...cluster, dbSize: 3 * 1024 ** 3 } }), 'info').includes('large-db'));
  });
});

describe('config linting', () => {
  test('--logger=capnslog on the command line blocks 3.4 -> 3.5', () => {
    const p = plan({ from: '3.4.23', to: '3.5.30', authEnabled: false, configs: [cfg('flags.txt', 'etcd --name a --logger=capnslog --log-level info')] });
    const f = p.findings.find((x) => x.code === 'flag-value-rejected');
    assert.ok(f, codes(p).join(','));
    assert.equal(f.severity, 'blocker');
    assert.equal(f.flag, 'logger');
    assert.match(f.source ?? '', /config_logging\.go/);
  });
  test('logger: capnslog in YAML is a blocker too (etcd errors out at logger setup)', () => {
    const p = plan({ from: '3.4.23', to: '3.5.30', authEnabled: false, configs: [cfg('etcd.yml', 'name: a\nlogger: capnslog\n')] });
    assert.equal(p.findings.find((x) => x.code === 'flag-value-rejected')?.severity, 'blocker');
  });
  test('removed CLI flags are blockers; the same YAML keys are warnings (silently ignored); env vars warn', () => {
    const cli = plan({ from: '3.5.33', to: '3.6.14', configs: [cfg('etcd.flags', 'etcd --enable-v2=true --proxy off')] });
    const cliRemoved = cli.findings.filter((f) => f.code === 'flag-removed');
    assert.deepEqual(cliRemoved.map((f) => [f.flag, f.severity]), [['enable-v2', 'blocker'], ['proxy', 'blocker']]);
    const yaml = plan({ from: '3.5.33', to: '3.6.14', configs: [cfg('etcd.yaml', 'name: a\nenable-v2: true\n')] });
    const y = yaml.findings.find((f) => f.code === 'flag-removed');
    assert.equal(y?.severity, 'warning');
    assert.equal(y?.line, 2);
    assert.match(y?.message ?? '', /silently ignores/);
    const env = plan({ from: '3.5.33', to: '3.6.14', configs: [cfg('etcd.env', 'ETCD_NAME=a\nETCD_ENABLE_V2=true\n')] });
    assert.equal(env.findings.find((f) => f.code === 'flag-removed')?.severity, 'warning');
  });
  test('3.4 removed --ca-file (docs say deprecated); YAML ca-file under client-transport-security warns', () => {
    const p = plan({ from: '3.3.25', to: '3.4.45', configs: [cfg('f', 'etcd --ca-file /ca.pem')] });
    const f = p.findings.find((x) => x.flag === 'ca-file');
    assert.equal(f?.severity, 'blocker');
    assert.deepEqual(p.hops[0]!.flagChanges.map((c) => [c.flag, c.change, c.replacement]), [['--ca-file', 'rename', '--trusted-ca-file']]);
    const y = plan({ from: '3.3.25', to: '3.4.45', configs: [cfg('e.yaml', 'client-transport-security:\n  ca-file: /ca.pem\n')] });
    assert.equal(y.findings.find((x) => x.flag === 'ca-file')?.severity, 'warning');
  });
  test('3.6 experimental flags: renamed (warning) on 3.6, removed (blocker) on 3.7', () => {
    const c = cfg('f', 'etcd --experimental-compact-hash-check-enabled --experimental-corrupt-check-time=5m');
    const p = plan({ from: '3.5.33', to: '3.7.1', configs: [c] });
    const byHop = (hop: string) => p.findings.filter((f) => f.hop === hop && f.flag?.startsWith('experimental-')).map((f) => `${f.code}:${f.severity}`).sort();
    assert.deepEqual(byHop('3.5.33 -> 3.6.17'), ['flag-renamed:warning', 'flag-renamed:warning']);
    assert.deepEqual(byHop('3.6.17 -> 3.7.1'), ['flag-removed:blocker', 'flag-removed:blocker']);
    const gate = p.hops[1]!.flagChanges.find((x) => x.flag === '--experimental-compact-hash-check-enabled');
    assert.equal(gate?.replacement, '--feature-gates=CompactHashCheck=true');
  });
  test('old and new form of a 3.6 rename together: etcd 3.6 refuses to start', () => {
    const p = plan({ from: '3.5.33', to: '3.6.14', configs: [cfg('f', 'etcd --experimental-corrupt-check-time=1m --corrupt-check-time=1m --experimental-initial-corrupt-check --feature-gates=InitialCorruptCheck=true')] });
    const c = p.findings.filter((f) => f.code === 'flag-conflict');
    assert.deepEqual(c.map((f) => [f.flag, f.severity]), [['experimental-corrupt-check-time', 'blocker'], ['experimental-initial-corrupt-check', 'blocker']]);
  });
  test('an empty host in an advertise URL stops etcd 3.4+', () => {
    const p = plan({ from: '3.3.25', to: '3.4.45', configs: [cfg('f', 'etcd --advertise-client-urls=http://:2379 --initial-advertise-peer-urls http://10.0.0.1:2380')] });
    const f = p.findings.filter((x) => x.code === 'flag-value-rejected');
    assert.deepEqual(f.map((x) => [x.flag, x.severity]), [['advertise-client-urls', 'blocker']]);
  });
  test('a flag no etcd knows is reported once, as a blocker on the command line', () => {
    const p = plan({ from: '3.4.23', to: '3.6.14', authEnabled: false, configs: [cfg('f', 'etcd --name a --no-such-flag=1')] });
    const f = p.findings.filter((x) => x.code === 'flag-unknown');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'blocker');
  });
  test('default changes are reported only where the config leaves the flag unset', () => {
    const unset = plan({ from: '3.5.33', to: '3.6.14', configs: [cfg('f', 'etcd --name a')] });
    assert.ok(unset.findings.some((f) => f.code === 'flag-default-changed' && f.flag === 'snapshot-count'));
    const set = plan({ from: '3.5.33', to: '3.6.14', configs: [cfg('f', 'etcd --name a --snapshot-count 100000')] });
    assert.ok(!set.findings.some((f) => f.code === 'flag-default-changed' && f.flag === 'snapshot-count'));
  });
  test('ETCD_X and --x together: fatal from 3.4', () => {
    const p = plan({ from: '3.3.25', to: '3.4.45', configs: [cfg('e.env', 'ETCD_NAME=a\n'), cfg('f', 'etcd --name a')] });
    assert.equal(p.findings.find((f) => f.code === 'env-flag-conflict')?.severity, 'blocker');
  });
  test('flags known on the way are not reported (e.g. --listen-client-http-urls from 3.4.25)', () => {
    const p = plan({ from: '3.4.23', to: '3.5.30', authEnabled: false, configs: [cfg('f', 'etcd --name a --logger zap --log-outputs stderr')] });
    assert.deepEqual(codes(p, 'blocker'), []);
  });
});

describe('downgrades, unknown versions, same version', () => {
  test('3.6 -> 3.5 is refused as an upgrade and explains the downgrade API', () => {
    const p = plan({ from: '3.6.14', to: '3.5.33' });
    assert.equal(p.direction, 'downgrade');
    assert.ok(p.blocked);
    assert.equal(p.hops.length, 0);
    assert.equal(p.downgrade?.pairs[0]?.mechanism, 'downgrade-api');
    assert.ok(p.downgrade?.pairs[0]?.steps.some((s) => s.includes('etcdctl downgrade enable 3.5')));
  });
  test('3.5 -> 3.4: rolling downgrade with --next-cluster-version-compatible, needs 3.4.32+, no auth', () => {
    const old = plan({ from: '3.5.30', to: '3.4.23', authEnabled: true });
    assert.equal(old.downgrade?.pairs[0]?.mechanism, 'rolling-compat-flag');
    assert.ok(codes(old, 'blocker').includes('downgrade-target-too-old'));
    assert.ok(codes(old, 'blocker').includes('downgrade-auth-enabled'));
    const ok = plan({ from: '3.5.30', to: '3.4.45', authEnabled: false });
    assert.deepEqual(codes(ok, 'blocker'), ['downgrade']);
  });
  test('3.5 -> 3.3 spans two pairs; 3.4 -> 3.3 is not supported after completion', () => {
    const p = plan({ from: '3.5.30', to: '3.3.25', authEnabled: false });
    assert.deepEqual(p.downgrade?.pairs.map((x) => `${x.fromMinor}->${x.toMinor}:${x.supported}`), ['3.5->3.4:true', '3.4->3.3:false']);
    assert.ok(codes(p, 'blocker').includes('downgrade-multiple-minors'));
    assert.ok(codes(p, 'blocker').includes('downgrade-unsupported'));
  });
  test('patch downgrade: binary swap, still refused as an upgrade', () => {
    const p = plan({ from: '3.5.30', to: '3.5.16' });
    assert.equal(p.downgrade?.pairs[0]?.mechanism, 'patch-swap');
    assert.equal(p.direction, 'downgrade');
  });
  for (const [from, to, re] of [
    ['3.4.23', '3.4.46', /3\.4\.46 was never released \(the 3\.4 line is end-of-life; its final release is 3\.4\.45\)/],
    ['3.5.30', '3.8.0', /3\.8 has no release yet .*3\.8\.0-alpha\.0/],
    ['3.5.30', '3.8.0-alpha.0', /3\.8\.0-alpha\.0 is a pre-release/],
    ['3.1.20', '3.5.30', /3\.1 is not a release line/],
    ['banana', '3.5.30', /"banana" is not an etcd version/],
    ['3.5', '3.6.14', /not an etcd version/],
  ] as const) {
    test(`unknown version ${from} -> ${to}: exit 2 naming it`, () => {
      assert.throws(() => plan({ from, to }), (e: unknown) => e instanceof UsageError && e.exitCode === 2 && re.test(e.message) && /3\.2\.0 to 3\.7\.4/.test(e.hint ?? ''));
    });
  }
  test('same version: nothing to do', () => {
    const p = plan({ from: '3.5.30', to: 'v3.5.30' });
    assert.equal(p.direction, 'none');
    assert.deepEqual(p.path, ['3.5.30']);
    assert.equal(p.blocked, false);
    const linted = plan({ from: '3.5.30', to: '3.5.30', configs: [cfg('f', 'etcd --name a --no-such-flag')] });
    assert.deepEqual(codes(linted, 'blocker'), ['flag-unknown']);
  });
  test('--via outside (from, to) is a usage error', () => {
    assert.throws(() => plan({ from: '3.5.16', to: '3.6.14', via: ['3.7.0'] }), UsageError);
  });
});

describe('cves and determinism', () => {
  test('CVEs fixed and remaining', () => {
    const p = plan({ from: '3.5.30', to: '3.5.33' });
    assert.deepEqual(p.cves.fixed, ['CVE-2026-59818', 'CVE-2026-73499', 'CVE-2026-73500']);
    assert.deepEqual(p.cves.remaining, ['etcd-alarm-applier-chain'], 'fixed in 3.5.36 (read from the server module source)');
    assert.deepEqual(plan({ from: '3.5.30', to: '3.5.36' }).cves.remaining, []);
    const eol = plan({ from: '3.4.23', to: '3.4.45' });
    assert.ok(eol.cves.remaining.includes('CVE-2026-73500'));
    assert.ok(eol.cves.fixed.includes('CVE-2026-33413'));
  });
  test('same input, byte-identical JSON; findings sorted by severity', () => {
    const input: PlanInput = {
      from: '3.3.25', to: '3.7.1', authEnabled: true,
      configs: [cfg('u.service', '[Service]\nExecStart=/usr/bin/etcd --name a \\\n  --logger=capnslog --experimental-corrupt-check-time=5m\n'), cfg('c.yaml', 'enable-v2: true\n')],
    };
    const a = JSON.stringify(plan(input));
    const b = JSON.stringify(plan(structuredClone(input)));
    assert.equal(a, b);
    const p = JSON.parse(a) as Plan;
    const rank = { blocker: 0, warning: 1, info: 2 } as const;
    const ranks = p.findings.map((f) => rank[f.severity]);
    assert.deepEqual(ranks, [...ranks].sort((x, y) => x - y));
    assert.deepEqual(Object.keys(p).slice(0, 7), ['from', 'to', 'direction', 'path', 'hops', 'findings', 'cves']);
  });
});

describe('upshift plan CLI (--from, no cluster)', () => {
  // The shipped knowledge only: a home without releases learned by `upshift knowledge update`.
  const env = { ...process.env, UPSHIFT_HOME: join(tmpdir(), `upshift-plan-cli-${process.pid}`) };
  test('json: one document, exit 0 without blockers', async () => {
    const r = await runCliInProcess(['plan', '--from', '3.5.16', '--to', '3.6.14', '-o', 'json'], env);
    assert.equal(r.code, 0, r.stderr);
    const p = JSON.parse(r.stdout) as Plan;
    assert.deepEqual(p.path, ['3.5.16', '3.5.36', '3.6.14']);
    assert.equal(typeof p.hops[0]!.steps[0], 'string');
  });
  test('blocker: exit 1, plan still printed', async () => {
    const r = await runCliInProcess(['plan', '--from', '3.4.23', '--to', '3.5.30', '--auth-enabled'], env);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /BLOCKER\s+auth-rolling-3\.4-3\.5/);
    assert.match(r.stdout, /^ {2}1\. /m);
  });
  test('--no-auth-enabled settles the question', async () => {
    const r = await runCliInProcess(['plan', '--from', '3.4.23', '--to', '3.5.30', '--no-auth-enabled', '-o', 'json'], env);
    assert.equal(r.code, 0, r.stdout);
    assert.equal((JSON.parse(r.stdout) as Plan).assumptions.authEnabled, false);
  });
  test('downgrade: exit 1 with the procedure', async () => {
    const r = await runCliInProcess(['plan', '--from', '3.6.14', '--to', '3.5.33'], env);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /DOWNGRADE/);
    assert.match(r.stdout, /etcdctl downgrade validate 3\.5/);
  });
  test('unknown version: exit 2 naming it and the known range', async () => {
    const r = await runCliInProcess(['plan', '--from', '3.4.23', '--to', '3.4.46'], env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /3\.4\.46 was never released/);
    assert.match(r.stderr, /3\.2\.0 to 3\.7\.4/);
  });
  test('--to X.Y means the latest known patch of X.Y', async () => {
    const r = await runCliInProcess(['plan', '--from', '3.5.30', '--to', '3.6', '-o', 'json'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as Plan).to, '3.6.17');
  });
  test('same version: exit 0, nothing to do', async () => {
    const r = await runCliInProcess(['plan', '--from', '3.5.30', '--to', '3.5.30'], env);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /nothing to do/);
  });
  test('missing --to and bad --config: exit 2', async () => {
    assert.equal((await runCliInProcess(['plan', '--from', '3.5.30'], env)).code, 2);
    const r = await runCliInProcess(['plan', '--from', '3.5.30', '--to', '3.6.14', '--config', '/nonexistent/etcd.yaml'], env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /nonexistent\/etcd\.yaml/);
  });
});

describe('versions newer than the knowledge data (knowledge-stale)', () => {
  test('3.6.16 -> 3.7.3: both published, planned without a stale warning', () => {
    const p = plan({ from: '3.6.16', to: '3.7.3', authEnabled: false });
    assert.deepEqual(p.path, ['3.6.16', '3.7.3']);
    assert.equal(p.blocked, false);
    assert.ok(codes(p, 'warning').every((c) => c !== 'knowledge-stale'));
  });
  test('3.5.30 -> 3.7.4 goes through the 3.5.32 and 3.6.11 floors (latest patches 3.5.36, 3.6.17)', () => {
    const p = plan({ from: '3.5.30', to: '3.7.4', authEnabled: false, v2Store: 'not-observed' });
    assert.deepEqual(p.path, ['3.5.30', '3.5.36', '3.6.17', '3.7.4']);
    assert.deepEqual(p.hops.map((h) => h.kind), ['patch', 'minor', 'minor']);
    assert.equal(p.blocked, false);
  });
  test('a patch newer than the data is accepted with a knowledge-stale warning', () => {
    const p = plan({ from: '3.6.18', to: '3.7.9', authEnabled: false });
    assert.deepEqual(p.path, ['3.6.18', '3.7.9']);
    const stale = p.findings.filter((f) => f.code === 'knowledge-stale');
    assert.deepEqual(stale.map((f) => f.severity), ['warning', 'warning']);
    assert.match(stale[0]!.message, /3\.6\.18 is newer than every 3\.6 release upshift knows \(newest: 3\.6\.17/);
    assert.equal(p.blocked, false);
    assert.ok(!codes(p).includes('not-latest-patch'), '3.6.18 is not "behind" 3.6.17');
    assert.ok(!codes(p).includes('target-not-latest'));
  });
  test('a newer patch of the source line goes through the floor like any other', () => {
    const p = plan({ from: '3.5.31', to: '3.6.20', authEnabled: false });
    assert.deepEqual(p.path, ['3.5.31', '3.5.36', '3.6.20']);
    assert.ok(codes(p, 'warning').includes('knowledge-stale'));
  });
});
