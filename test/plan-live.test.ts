/**
 * `upshift plan` against real etcd clusters (3.3.25, 3.4.23, 3.5.30, the newest 3.6 and 3.7 installed; with and
 * without auth): live discovery of versions, leader, auth status (3.4 has no AuthStatus RPC) and v2 store
 * use, then the plan.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster, type TestClusterOptions } from './support/cluster.js';
import { runCliInProcess } from './support/cli.js';
import { newestTestVersion } from './support/home.js';
import type { Plan } from '../src/plan/types.js';

const clusters = new Map<string, TestCluster>();
const specs: Record<string, TestClusterOptions> = {
  v33: { version: '3.3.25', members: 1 },
  v34auth: { version: '3.4.23', members: 1, auth: true },
  v34trio: { version: '3.4.23', members: 3 },
  v35authV2: { version: '3.5.30', members: 1, auth: true, extraArgs: ['--enable-v2=true'] },
  v35: { version: '3.5.30', members: 1 },
};
const [n36, n37] = [newestTestVersion('3.6'), newestTestVersion('3.7')];
if (n36) specs.v36 = { version: n36, members: 1 };
if (n37) specs.v37auth = { version: n37, members: 1, auth: true };

before(async () => {
  const started = await Promise.allSettled(Object.entries(specs).map(async ([k, o]) => [k, await startTestCluster(o)] as const));
  for (const s of started) if (s.status === 'fulfilled') clusters.set(s.value[0], s.value[1]);
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  // Custom v2 content: 3.3 serves /v2 by default, 3.5 with --enable-v2 (v3 auth does not cover /v2).
  for (const k of ['v33', 'v35authV2']) {
    const url = `${clusters.get(k)!.cluster.members[0]!.clientURL}/v2/keys/upshift-plan-test`;
    const r = await fetch(url, { method: 'PUT', body: 'value=x', headers: { 'content-type': 'application/x-www-form-urlencoded' }, signal: AbortSignal.timeout(10_000) });
    assert.ok(r.ok, `v2 PUT on ${k}: ${r.status}`);
  }
});

after(async () => {
  await Promise.all([...clusters.values()].map((c) => c.stop()));
});

async function planLive(key: string, ...args: string[]): Promise<{ code: number; plan: Plan; stderr: string }> {
  const tc = clusters.get(key)!;
  const r = await runCliInProcess(['plan', '--cluster', tc.cluster.name, ...args, '-o', 'json'], { ...process.env, UPSHIFT_HOME: tc.home });
  let plan: Plan;
  try {
    plan = JSON.parse(r.stdout) as Plan;
  } catch {
    throw new Error(`plan did not print JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, plan, stderr: r.stderr };
}

const codes = (p: Plan, sev: string) => p.findings.filter((f) => f.severity === sev).map((f) => f.code);

describe('3.3.25 without auth, v2 data present', () => {
  test('auth off is read from Authenticate ("authentication is not enabled")', async () => {
    const { plan } = await planLive('v33', '--to', '3.4.45');
    assert.match(plan.cluster?.authEvidence ?? '', /not enabled/);
  });
  test('two hops to 3.5, auth off, v2 in use', async () => {
    const { code, plan } = await planLive('v33', '--to', '3.5.30');
    assert.equal(code, 0, JSON.stringify(plan.findings));
    assert.equal(plan.from, '3.3.25');
    assert.deepEqual(plan.path, ['3.3.25', '3.4.45', '3.5.30']);
    assert.equal(plan.assumptions.authEnabled, false);
    assert.equal(plan.assumptions.v2Store, 'in-use');
    assert.equal(plan.cluster?.clusterVersion, '3.3.0');
    assert.ok(plan.findings.some((f) => f.code === 'v2-data-catch-up'));
  });
});

describe('3.4.23 with auth (no AuthStatus RPC on 3.4)', () => {
  test('auth detected; the 3.4 -> 3.5 hop is blocked and not rolling', async () => {
    const { code, plan } = await planLive('v34auth', '--to', '3.5.30');
    assert.equal(code, 1);
    assert.equal(plan.assumptions.authEnabled, true);
    assert.match(plan.cluster?.authEvidence ?? '', /authentication failed/);
    assert.ok(codes(plan, 'blocker').includes('auth-rolling-3.4-3.5'));
    assert.equal(plan.hops[0]!.rolling, false);
  });
  test('--no-auth-enabled overrides what was discovered', async () => {
    const { code, plan } = await planLive('v34auth', '--to', '3.5.30', '--no-auth-enabled');
    assert.equal(code, 0);
    assert.equal(plan.assumptions.authEnabled, false);
  });
});

describe('3.4.23, three members, without auth', () => {
  test('every member read; followers first, leader last after move-leader', async () => {
    const { code, plan } = await planLive('v34trio', '--to', '3.5.30');
    assert.equal(code, 0, JSON.stringify(plan.findings));
    assert.equal(plan.assumptions.members, 3);
    assert.equal(plan.assumptions.authEnabled, false);
    assert.equal(plan.assumptions.v2Store, 'not-observed');
    const members = plan.cluster!.members;
    assert.equal(members.filter((m) => m.isLeader).length, 1);
    assert.ok(members.every((m) => m.version === '3.4.23' && m.reachable));
    const leader = members.find((m) => m.isLeader)!.name;
    const seq = plan.hops[0]!.actions.filter((a) => a.type === 'upgrade-member' || a.type === 'move-leader').map((a) => `${a.type}:${a.member}`);
    assert.equal(seq.length, 4);
    assert.deepEqual(seq.slice(-2), [`move-leader:${leader}`, `upgrade-member:${leader}`]);
  });
});

describe('3.5.30 with auth and v2 data', () => {
  test('auth and v2 use detected; 3.6 blocked until the v2 store is clean', async () => {
    const { code, plan } = await planLive('v35authV2', '--to', '3.6.14');
    assert.equal(code, 1);
    assert.equal(plan.assumptions.authEnabled, true);
    assert.equal(plan.assumptions.v2Store, 'in-use');
    assert.ok(codes(plan, 'blocker').includes('v2store-clean-before-3.6'));
    assert.deepEqual(plan.path, ['3.5.30', '3.5.36', '3.6.14']);
  });
});

describe('3.5.30 without auth', () => {
  test('3.6 through the floor; v2 not observed -> check step and warning', async () => {
    const { code, plan } = await planLive('v35', '--to', '3.6.14');
    assert.equal(code, 0, JSON.stringify(plan.findings));
    assert.equal(plan.assumptions.authEnabled, false);
    assert.equal(plan.assumptions.v2Store, 'not-observed');
    assert.ok(codes(plan, 'warning').includes('v2store-check-before-3.6'));
  });
  test('downgrade target: exit 1 with the rolling 3.5 -> 3.4 procedure', async () => {
    const { code, plan } = await planLive('v35', '--to', '3.4.45');
    assert.equal(code, 1);
    assert.equal(plan.direction, 'downgrade');
    assert.equal(plan.downgrade?.pairs[0]?.mechanism, 'rolling-compat-flag');
  });
  test('same cluster, same JSON (deterministic)', async () => {
    // The plan names the leader, and a loaded machine can hold an election between two reads: compare two
    // plans of the same leadership (a few tries), never assume none happened.
    const leader = (p: Plan): string | undefined => p.cluster?.members.find((m) => m.isLeader)?.name;
    for (let tries = 1; ; tries++) {
      const a = await planLive('v35', '--to', '3.6.14');
      const b = await planLive('v35', '--to', '3.6.14');
      if (leader(a.plan) !== leader(b.plan) && tries < 3) continue;
      assert.deepEqual(a.plan, b.plan);
      break;
    }
  });
  test('a target the data proves never existed fails with exit 2 before any network call', async () => {
    const tc = clusters.get('v35')!;
    const r = await runCliInProcess(['plan', '--cluster', tc.cluster.name, '--to', '3.4.46'], { ...process.env, UPSHIFT_HOME: tc.home });
    assert.equal(r.code, 2);
    assert.doesNotMatch(r.stderr, /reading the cluster/);
  });
});

describe(`${n36 ?? '3.6 (not installed)'} -> ${n37 ?? '3.7 (not installed)'}`, { skip: !(n36 && n37) && 'needs a 3.6 and a 3.7 installed' }, () => {
  test('one hop; cluster version 3.6 read live; no v2 API; the 3.7 flag removal is named', async () => {
    const { code, plan } = await planLive('v36', '--to', n37!);
    assert.equal(code, 0, JSON.stringify(plan.findings));
    assert.deepEqual(plan.path, [n36, n37]);
    assert.equal(plan.cluster?.clusterVersion, '3.6.0');
    assert.ok(plan.cluster!.members.every((m) => m.version === n36 && m.reachable));
    assert.equal(plan.assumptions.authEnabled, false);
    assert.match(plan.cluster!.v2Evidence ?? '', /v2 API is disabled/);
    assert.deepEqual(codes(plan, 'blocker'), []);
    assert.ok(codes(plan, 'info').includes('experimental-flags-removed-3.7'), JSON.stringify(plan.findings));
  });
  test('3.7 with auth: auth read live; back to 3.6 is a downgrade through the downgrade API (exit 1)', async () => {
    const same = await planLive('v37auth', '--to', n37!);
    assert.equal(same.code, 0);
    assert.equal(same.plan.direction, 'none');
    assert.equal(same.plan.assumptions.authEnabled, true);
    assert.equal(same.plan.cluster?.clusterVersion, '3.7.0');
    const down = await planLive('v37auth', '--to', n36!);
    assert.equal(down.code, 1);
    assert.equal(down.plan.direction, 'downgrade');
    assert.equal(down.plan.downgrade?.pairs[0]?.mechanism, 'downgrade-api');
  });
});

test('unreachable cluster: exit 3', async () => {
  const r = await runCliInProcess(['plan', '--endpoints', 'http://127.0.0.1:1', '--to', '3.6.14', '--dial-timeout', '500ms', '--command-timeout', '1s']);
  assert.equal(r.code, 3, r.stderr);
});
