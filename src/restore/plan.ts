/**
 * Pure parts of restore: which version restores and runs the snapshot, the member layout of a
 * `--data-dir` restore, and the judgement of the restored cluster against the manifest.
 */
import { UsageError } from '../core/errors.js';
import { compareVersionParts as compareVersions, minorOf } from '../core/version.js';

/**
 * The version to restore with: the one asked for, else the snapshot's. Restoring into an older minor
 * is refused: etcd supports no such downgrade of data (3.6's storage schema cannot be read by 3.5, and
 * ≤3.5 data written by a newer minor is untested; web:.../op-guide/recovery.md restores with the same
 * version). A newer minor is allowed: it is what a rolling upgrade would do to the data anyway.
 */
export function chooseRestoreVersion(asked: string | undefined, snapshotVersion: string | null, installed: string[]): { version: string; note?: string } {
  const version = asked ?? (snapshotVersion && installed.includes(snapshotVersion) ? snapshotVersion : undefined);
  if (!version) {
    if (!snapshotVersion) {
      throw new UsageError('--version: the snapshot has no manifest, so its etcd version is unknown', { hint: `pass --version, one of the installed: ${installed.join(', ') || '(none: upshift etcd install VERSION)'}` });
    }
    const sameMinor = installed.filter((v) => minorOf(v) === minorOf(snapshotVersion)).sort(compareVersions);
    const pick = sameMinor[sameMinor.length - 1];
    if (!pick) {
      throw new UsageError(`--version: the snapshot came from etcd ${snapshotVersion}, and no ${minorOf(snapshotVersion)}.x is installed`, { hint: `run: upshift etcd install ${snapshotVersion}` });
    }
    return { version: pick, note: `etcd ${snapshotVersion} is not installed; restoring with ${pick} (same minor)` };
  }
  if (snapshotVersion && compareVersions(minorOf(version) + '.0', minorOf(snapshotVersion) + '.0') < 0) {
    throw new UsageError(`--version: ${version} is older than the snapshot's etcd ${snapshotVersion}; restoring into an older minor is not supported`, {
      hint: `use ${minorOf(snapshotVersion)}.x or newer`,
    });
  }
  return { version };
}

/** `name=url[,url],name2=url` as etcd's --initial-cluster (one entry per peer URL). */
export function parseInitialCluster(value: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const item of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--initial-cluster: "${item}" is not name=peerURL`, { hint: 'write it like infra1=https://10.0.0.1:2380,infra2=https://10.0.0.2:2380' });
    const name = item.slice(0, eq);
    const url = item.slice(eq + 1);
    try {
      const u = new URL(url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
    } catch {
      throw new UsageError(`--initial-cluster: "${url}" (member ${name}) is not an http(s) URL`, { hint: 'peer URLs look like https://10.0.0.1:2380' });
    }
    out.set(name, [...(out.get(name) ?? []), url]);
  }
  if (out.size === 0) throw new UsageError('--initial-cluster: empty', { hint: 'list every member as name=peerURL' });
  return out;
}

export interface RestoreCheck {
  name: string;
  ok: boolean;
  expected: string | number | null;
  actual: string | number | null;
  message: string;
}

export interface MemberObservation {
  name: string;
  revision: number | null;
  hash: number | null;
  compactRevision: number | null;
  liveKeys: number | null;
  error?: string;
}

export interface Expectation {
  revision: number;
  hashKV: { hash: number; compactRevision: number } | null;
  liveKeys: number | null;
  /** After `--bump-revision N --mark-compacted`: the compact revision every member must report (= revision). */
  compactRevision?: number | undefined;
}

/**
 * What a restored cluster must show: the snapshot's revision, or with a bump of N the snapshot's + N,
 * marked compacted there (etcdutl's unsafeBumpBucketsRevision + UnsafeSetScheduledCompact). A bumped
 * restore is compacted at a revision the source never had, so its HashKV cannot be compared with the
 * source's; key counts still can.
 */
export function restoreExpectation(
  snapshotRevision: number,
  manifest: { hashKV?: { hash: number; compactRevision: number } | null; liveKeys?: number | null } | null,
  bump: number | undefined,
): Expectation {
  const liveKeys = manifest?.liveKeys ?? null;
  if (bump) return { revision: snapshotRevision + bump, hashKV: null, liveKeys, compactRevision: snapshotRevision + bump };
  return { revision: snapshotRevision, hashKV: manifest?.hashKV ? { hash: manifest.hashKV.hash, compactRevision: manifest.hashKV.compactRevision } : null, liveKeys };
}

/** Judge a restored cluster: every member at the snapshot revision, same hash and key count as recorded. */
export function judgeRestore(exp: Expectation, observed: MemberObservation[]): RestoreCheck[] {
  const checks: RestoreCheck[] = [];
  for (const m of observed) {
    if (m.error) {
      checks.push({ name: `${m.name}:reachable`, ok: false, expected: null, actual: null, message: `${m.name}: ${m.error}` });
      continue;
    }
    // A snapshot without keys reports revision 0; the server then starts at revision 1.
    const wantRev = exp.revision > 0 ? exp.revision : 1;
    checks.push({
      name: `${m.name}:revision`,
      ok: m.revision === wantRev,
      expected: wantRev,
      actual: m.revision,
      message:
        m.revision === wantRev
          ? `${m.name} is at the ${exp.compactRevision !== undefined ? 'bumped ' : ''}snapshot revision ${wantRev}`
          : `${m.name} is at revision ${m.revision}, the ${exp.compactRevision !== undefined ? 'bumped ' : ''}snapshot at ${wantRev}`,
    });
    if (exp.compactRevision !== undefined) {
      checks.push({
        name: `${m.name}:compacted`,
        ok: m.compactRevision === exp.compactRevision,
        expected: exp.compactRevision,
        actual: m.compactRevision,
        message: m.compactRevision === exp.compactRevision ? `${m.name} is compacted at ${exp.compactRevision}: older revisions answer "compacted"` : `${m.name} reports compact revision ${m.compactRevision}, not the bumped ${exp.compactRevision}`,
      });
    }
    if (exp.hashKV) {
      const sameCompact = m.compactRevision === exp.hashKV.compactRevision;
      const ok = m.hash === exp.hashKV.hash && sameCompact;
      checks.push({
        name: `${m.name}:hashKV`,
        ok,
        expected: exp.hashKV.hash,
        actual: m.hash,
        message: ok
          ? `${m.name} HashKV at ${exp.revision} equals the source cluster's (${m.hash})`
          : sameCompact
            ? `${m.name} HashKV at ${exp.revision} is ${m.hash}; the source cluster's was ${exp.hashKV.hash}: the data differs`
            : `${m.name} reports compact revision ${m.compactRevision}, the source ${exp.hashKV.compactRevision}: hash ${m.hash} vs ${exp.hashKV.hash}`,
      });
    }
    if (exp.liveKeys !== null) {
      checks.push({
        name: `${m.name}:keys`,
        ok: m.liveKeys === exp.liveKeys,
        expected: exp.liveKeys,
        actual: m.liveKeys,
        message: m.liveKeys === exp.liveKeys ? `${m.name} holds ${m.liveKeys} keys, as the source did` : `${m.name} holds ${m.liveKeys} keys, the source held ${exp.liveKeys}`,
      });
    }
  }
  const hashes = new Set(observed.filter((m) => m.hash !== null).map((m) => m.hash));
  if (observed.length > 1) {
    checks.push({
      name: 'members-agree',
      ok: hashes.size === 1,
      expected: null,
      actual: hashes.size,
      message: hashes.size === 1 ? 'every member has the same HashKV' : `members disagree: ${observed.map((m) => `${m.name}=${m.hash}`).join(', ')}`,
    });
  }
  return checks;
}
