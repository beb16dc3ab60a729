import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as kb from './index.js';
import { knownBadPatches as badData } from './data/releases.js';
import { patchRules } from './data/upgrade-rules.js';

test('every knowledge entry carries a non-empty source', () => {
  const lists: { name: string; items: readonly { source: string }[] }[] = [
    { name: 'releaseLines', items: kb.releaseLines },
    { name: 'advisories', items: kb.advisories },
    { name: 'flagRules', items: kb.allFlagRules },
    { name: 'hopRules', items: kb.allHopRules },
    { name: 'patchFloors', items: kb.patchFloors },
    { name: 'downgradeSupport', items: kb.allDowngradeSupport },
    { name: 'knownBadPatches', items: badData },
    { name: 'patchRules', items: patchRules },
    { name: 'serverFlagSets', items: Object.values(kb.serverFlagSets) },
  ];
  for (const { name, items } of lists) {
    assert.ok(items.length > 0, name);
    for (const [i, it] of items.entries()) assert.ok(it.source && it.source.trim().length > 5, `${name}[${i}] has no source`);
  }
  for (const l of kb.releaseLines) {
    if (l.eol) assert.ok(l.eol.source, `${l.minor} eol source`);
    if (l.recommendedMinimum) assert.ok(l.recommendedMinimum.source, `${l.minor} recommendedMinimum source`);
  }
  assert.ok(kb.allFlagRules.length >= 80, `expected ~80 flag rules, got ${kb.allFlagRules.length}`);
});

test('released versions: known, latest, never-released (data to 3.5.36 / 3.6.17 / 3.7.4)', () => {
  const cases: [string, boolean][] = [
    ['3.5.36', true], ['v3.5.0', true], ['3.5.37', false], ['3.5.99', false], ['3.4.45', true], ['3.4.46', false],
    ['3.6.17', true], ['3.6.18', false], ['3.7.4', true], ['3.7.5', false], ['3.8.0', false], ['3.1.20', false],
    ['3.5', false], ['banana', false], ['3.2.32', true], ['3.2.33', false], ['3.8.0-alpha.0', false],
  ];
  for (const [v, want] of cases) assert.equal(kb.isKnownVersion(v), want, v);
  assert.equal(kb.latestPatch('3.5'), '3.5.36');
  assert.equal(kb.latestPatch('3.6'), '3.6.17');
  assert.equal(kb.latestPatch('3.7'), '3.7.4');
  assert.equal(kb.latestPatch('3.3'), '3.3.27');
  assert.equal(kb.latestPatch('3.9'), undefined);
  assert.equal(kb.releasedPatches('3.7').join(','), '3.7.0,3.7.1,3.7.2,3.7.3,3.7.4');
  assert.match(kb.knownRange().text, /3\.2\.0 to 3\.7\.4/);
});

test('standing: a patch newer than the data is accepted; only what the data disproves is refused', () => {
  const kind = (v: string) => kb.standingOf(v).kind;
  assert.equal(kind('3.6.17'), 'released');
  assert.equal(kind('3.6.18'), 'newer');
  assert.equal(kind('3.5.99'), 'newer');
  assert.equal(kind('3.7.5'), 'newer');
  assert.equal(kind('3.4.46'), 'never-released', 'after the final release of an end-of-life line');
  assert.equal(kind('3.2.33'), 'never-released');
  assert.equal(kind('3.8.0'), 'unknown-line');
  assert.match(kb.standingOf('3.8.0').reason, /no release yet .*3\.8\.0-alpha\.0/);
  assert.equal(kind('3.1.20'), 'unknown-line');
  assert.equal(kind('3.8.0-alpha.0'), 'pre-release');
  assert.equal(kind('junk'), 'invalid');
  for (const v of ['3.6.18', '3.5.99', '3.7.5', '3.6.17']) assert.equal(kb.isAcceptedVersion(v), true, v);
  for (const v of ['3.4.46', '3.8.0', '3.8.0-alpha.0', 'junk']) assert.equal(kb.isAcceptedVersion(v), false, v);
  // The rules of the line apply to a newer patch: its flag set is the newest generated tag's.
  assert.equal(kb.flagExists('feature-gates', '3.6.40'), true);
  assert.equal(kb.flagExists('experimental-snapshot-catchup-entries', '3.6.40'), kb.flagExists('experimental-snapshot-catchup-entries', '3.6.17'));
});

test('knowledge-stale findings: newer patches warn, listed patches without notes inform, covered ones say nothing', () => {
  const [newer] = kb.staleFindings('3.6.18');
  assert.equal(newer?.severity, 'warning');
  assert.equal(newer?.code, 'knowledge-stale');
  assert.match(newer!.message, /newer than every 3\.6 release upshift knows \(newest: 3\.6\.17/);
  assert.match(newer!.message, /published after 2026-08-20 are unknown/);
  const [partial] = kb.staleFindings('3.6.17');
  assert.equal(partial?.severity, 'info');
  assert.match(partial!.message, /has not read \(notes up to 3\.6\.14/);
  assert.deepEqual(kb.staleFindings('3.6.14'), []);
  assert.deepEqual(kb.staleFindings('3.4.46'), []);
  assert.match(kb.knowledgeLine(), /releases to 3\.7\.4 \(2026-11-18\), list checked 2026-12-06; release notes and advisories to 2026-08-20/);
});

test('known-bad patches', () => {
  assert.deepEqual(kb.knownBadPatches('3.5.1').map((b) => b.recommendedMinimum), ['3.5.4']);
  assert.deepEqual(kb.knownBadPatches('3.5.5').map((b) => b.recommendedMinimum), ['3.5.6']);
  assert.deepEqual(kb.knownBadPatches('3.5.3'), []);
  assert.deepEqual(kb.knownBadPatches('3.4.11').map((b) => b.id), ['etcd-data-dir-0700-enforced']);
  assert.deepEqual(kb.knownBadPatches('3.4.23'), []);
});

test('advisories by version', () => {
  const ids = (v: string) => kb.advisoriesAffecting(v, { kinds: ['cve'] }).map((a) => a.id);
  assert.ok(ids('3.5.30').includes('CVE-2026-59818'));
  assert.ok(!ids('3.5.32').includes('CVE-2026-59818'));
  assert.ok(ids('3.5.32').includes('CVE-2026-73500'));
  assert.deepEqual(ids('3.5.33'), []);
  assert.deepEqual(ids('3.6.14'), []);
  assert.ok(ids('3.4.45').includes('CVE-2026-73499'), '3.4 never got the 2026-07 fixes');
  assert.ok(ids('3.3.25').includes('CVE-2023-32082'));
  assert.ok(!ids('3.3.25').includes('CVE-2020-15106'));
  assert.ok(ids('3.4.9').includes('CVE-2020-15106'));
  assert.ok(kb.advisoriesAffecting('3.5.2').some((a) => a.id === 'etcd#13766'));
  const sorted = kb.advisoriesAffecting('3.4.0').map((a) => a.id);
  assert.deepEqual(sorted, [...sorted].sort());
});

test('flag existence per version (generated from tags)', () => {
  assert.equal(kb.flagExists('ca-file', '3.3.25'), true);
  assert.equal(kb.flagExists('ca-file', '3.4.0'), false);
  assert.equal(kb.flagExists('debug', '3.4.23'), true);
  assert.equal(kb.flagExists('debug', '3.5.0'), false);
  assert.equal(kb.flagExists('enable-v2', '3.5.33'), true);
  assert.equal(kb.flagExists('enable-v2', '3.6.0'), false);
  assert.equal(kb.flagExists('experimental-corrupt-check-time', '3.6.14'), true);
  assert.equal(kb.flagExists('experimental-corrupt-check-time', '3.7.0'), false);
  assert.equal(kb.flagExists('feature-gates', '3.6.0'), true);
  assert.equal(kb.flagExists('listen-client-http-urls', '3.5.7'), false);
  assert.equal(kb.flagExists('listen-client-http-urls', '3.5.8'), true);
  assert.equal(kb.flagExists('next-cluster-version-compatible', '3.4.30'), false);
  assert.equal(kb.flagExists('next-cluster-version-compatible', '3.4.31'), true);
  assert.equal(kb.flagExists('discovery', '3.7.1'), false);
  assert.equal(kb.flagExists('name', '3.9.0'), undefined);
  assert.equal(kb.yamlKeyExists('experimental-snapshot-catch-up-entries', '3.6.14'), true);
  assert.equal(kb.yamlKeyExists('enable-v2', '3.6.0'), false);
  assert.equal(kb.securityKeyExists('ca-file', '3.3.25'), true);
  assert.equal(kb.securityKeyExists('ca-file', '3.4.0'), false);
  assert.equal(kb.flagToEnv('enable-v2'), 'ETCD_ENABLE_V2');
});

test('flag rules between minors', () => {
  const r = kb.flagRules('3.4', '3.5');
  assert.ok(r.some((x) => x.flag === 'logger' && x.value === 'capnslog' && x.reaction.cli === 'exits'));
  assert.ok(r.every((x) => x.since.startsWith('3.5')));
  assert.ok(kb.flagRules('3.5', '3.7').some((x) => x.since === '3.7'));
  assert.equal(kb.flagRules('3.5', '3.5').length, 0);
  // Every rule with kind 'removed' names a flag the generated sets confirm is gone in that minor.
  for (const rule of kb.allFlagRules.filter((x) => x.kind === 'removed' && x.value === undefined)) {
    const v = `${rule.since}.0`;
    assert.equal(kb.flagExists(rule.flag, v), false, `${rule.flag} should not exist in ${v}`);
  }
});

test('upgrade rules', () => {
  assert.equal(kb.patchFloor('3.5', '3.6')?.minimum, '3.5.32');
  assert.equal(kb.patchFloor('3.6', '3.7')?.minimum, '3.6.11');
  assert.equal(kb.patchFloor('3.4', '3.5'), undefined);
  assert.ok(kb.hopRules('3.4', '3.5').some((h) => h.id === 'auth-rolling-3.4-3.5' && h.severity === 'blocker'));
  assert.equal(kb.downgradeSupport('3.5', '3.4')?.minimumTarget, '3.4.32');
  assert.equal(kb.downgradeSupport('3.6', '3.5')?.mechanism, 'downgrade-api');
  assert.deepEqual(kb.patchRulesBetween('3.4.9', '3.4.11').map((p) => p.id), ['data-dir-mode-0700']);
  assert.deepEqual(kb.patchRulesBetween('3.3.22', '3.3.24').map((p) => p.id), ['data-dir-mode-0700']);
  assert.deepEqual(kb.patchRulesBetween('3.4.9', '3.4.23'), [], 'jumping over the enforcing patches is fine');
  assert.deepEqual(kb.patchRulesBetween('3.3.25', '3.4.45'), []);
});

test('auditVersion: EOL, known-bad, minimum, outdated, advisories, unknown', () => {
  const codes = (v: string) => kb.auditVersion(v).map((f) => f.code);
  assert.ok(codes('3.4.23').includes('version-eol'));
  assert.ok(codes('3.4.23').includes('version-outdated'));
  assert.ok(codes('3.4.23').includes('cve-cve-2026-73500'));
  assert.ok(codes('3.5.1').includes('known-bad-patch'));
  assert.ok(!codes('3.5.1').includes('below-recommended-minimum') || codes('3.5.1').filter((c) => c === 'known-bad-patch').length > 0);
  assert.ok(codes('3.4.19').includes('below-recommended-minimum'));
  assert.deepEqual(codes('3.6.14'), ['version-outdated', 'integrity-etcd-snap-db-dir-fsync']);
  assert.deepEqual(codes('3.6.17'), ['knowledge-stale']);
  assert.deepEqual(codes('3.5.99'), ['knowledge-stale']);
  assert.deepEqual(codes('3.4.46'), ['version-unknown']);
  assert.match(kb.auditVersion('3.4.46', { subject: 'member m1' })[0]!.message, /member m1 runs 3\.4\.46: etcd 3\.4\.46 was never released/);
  assert.deepEqual(codes('weird'), ['version-unknown']);
  const eolMsg = kb.auditVersion('3.4.45').find((f) => f.code === 'cve-cve-2026-73499');
  assert.match(eolMsg?.message ?? '', /no fix on the 3\.4 line \(end-of-life\)/);
  for (const f of kb.auditVersion('3.3.10')) assert.ok(f.source, f.code);
});

test('facts fixed after the 25-fact audit (issue 11), each checked against upstream', () => {
  const ids = (v: string) => kb.advisoriesAffecting(v).map((a) => a.id);
  // CVE-2020-15106/15112: the WAL fixes shipped in v3.2.32 too (CHANGELOG-3.2 v3.2.32).
  for (const id of ['CVE-2020-15106', 'CVE-2020-15112']) {
    assert.ok(ids('3.2.31').includes(id), `${id} 3.2.31`);
    assert.ok(!ids('3.2.32').includes(id), `${id} 3.2.32`);
    assert.ok(ids('3.3.22').includes(id) && !ids('3.3.23').includes(id), `${id} 3.3`);
  }
  assert.ok(ids('3.2.32').includes('CVE-2020-15113'), 'the rest of the 2020 batch never reached 3.2');
  // etcd-pr-21667: the all-peers check exists in every 3.2-3.4 release and was never fixed there.
  for (const v of ['3.2.0', '3.3.27', '3.4.45', '3.5.29', '3.6.10']) assert.ok(ids(v).includes('etcd-pr-21667'), v);
  for (const v of ['3.5.30', '3.6.11', '3.7.0']) assert.ok(!ids(v).includes('etcd-pr-21667'), v);
  // Severities as GitHub rates them.
  const sev = (id: string) => kb.advisories.find((a) => a.id === id)?.severity;
  assert.equal(sev('CVE-2026-33413'), 'high');
  assert.equal(sev('CVE-2026-73499'), 'high');
  assert.match(kb.advisories.find((a) => a.id === 'CVE-2026-59818')!.source, /osv\.dev\/vulnerability\/BIT-etcd-2026-59818/);
  // 3.5 -> 3.4 is a rolling downgrade, not an offline one.
  assert.equal(kb.downgradeSupport('3.5', '3.4')?.mechanism, 'rolling-compat-flag');
  assert.match(kb.allHopRules.find((h) => h.id === 'no-rollback-after-3.5')!.source, /etcd@v3\.4\.30:etcdserver\/api\/membership\/cluster\.go:789 \(mustDetectDowngrade\)/);
  assert.match(kb.allHopRules.find((h) => h.id === 'api-surface-3.5')!.message, /still rewrites \/v3beta\/ to \/v3\/.*range_total stays until 3\.6/);
  assert.equal(kb.rulesForFlag('auto-compaction-retention').find((r) => r.since === '3.3')?.source.startsWith('web:content/en/docs/v3.3/upgrades/upgrade_3_3.md'), true);
  assert.match(badData.find((b) => b.id === 'etcd-3.4.20-3.4.21-auth-snapshot-recovery')!.reason, /PR #14649/);
  assert.match(badData.find((b) => b.id === 'etcd-3.5.5-auth-snapshot-recovery')!.reason, /PR #14648/);
});

test('fixes of the patches without readable release notes (from the server module sources)', () => {
  const ids = (v: string) => kb.advisoriesAffecting(v).map((a) => a.id);
  assert.ok(ids('3.7.3').includes('etcd-3.7-legacy-v2-wal-entries') && !ids('3.7.4').includes('etcd-3.7-legacy-v2-wal-entries'));
  assert.ok(!ids('3.6.17').includes('etcd-3.7-legacy-v2-wal-entries'));
  for (const [bad, good] of [['3.5.34', '3.5.35'], ['3.6.14', '3.6.15'], ['3.7.1', '3.7.2']] as const) {
    assert.ok(ids(bad).includes('etcd-snap-db-dir-fsync'), bad);
    assert.ok(!ids(good).includes('etcd-snap-db-dir-fsync'), good);
  }
  assert.ok(ids('3.5.35').includes('etcd-alarm-applier-chain') && !ids('3.5.36').includes('etcd-alarm-applier-chain'));
  assert.ok(ids('3.4.45').includes('etcd-alarm-applier-chain'));
  assert.ok(!ids('3.6.0').includes('etcd-alarm-applier-chain'), '3.6 wraps the whole chain');
  for (const a of kb.advisories.filter((x) => /code-derived/.test(x.source))) assert.equal(a.severity, 'unknown', a.id);
});
