/**
 * Restores that are safe for Kubernetes. A kube-apiserver's watch cache breaks when revisions go
 * backwards after a restore (etcd-io/etcd#16028, kubernetes/kubernetes#118501): informers keep serving
 * the newer state they had cached. etcdutl/etcdctl `snapshot restore --bump-revision N --mark-compacted`
 * (etcdutl 3.5.10+, checked in the v3.5.9/v3.5.10 module zips of go.etcd.io/etcd/etcdutl/v3:
 * etcdutl/snapshot_command.go; 3.6 and 3.7 have it; etcdctl 3.4.23 does not) moves the latest revision N
 * ahead and marks it compacted, so every watch from an older revision gets "compacted" and relists.
 * Upstream's guidance for N (etcd-io/website content/en/docs/v3.6/op-guide/recovery.md, "Restoring with
 * revision bump"): 1,000,000,000 covers a week-old snapshot at under 1,500 writes per second.
 */
import { execFile } from 'node:child_process';
import { BoltFile } from '../backup/bbolt.js';
import { UsageError } from '../core/errors.js';
import type { RestoreTool } from './tool.js';

export const KUBERNETES_PREFIX = '/registry/';
/** etcd's recovery guide: a week at < 1500 writes/s. */
export const BUMP_PER_WEEK = 1_000_000_000;
const WEEK_MS = 7 * 86_400_000;

/** Field 1 (`key`, bytes) of an mvccpb.KeyValue, without a protobuf library: tag 0x0a, varint length, bytes. */
export function keyOfKeyValue(value: Uint8Array): Buffer | undefined {
  if (value.length < 2 || value[0] !== 0x0a) return undefined;
  let len = 0;
  let shift = 0;
  let i = 1;
  for (; i < value.length && i < 6; i++) {
    const b = value[i]!;
    len |= (b & 0x7f) << shift;
    shift += 7;
    if ((b & 0x80) === 0) break;
  }
  const start = i + 1;
  if (start + len > value.length) return undefined;
  return Buffer.from(value.subarray(start, start + len));
}

/**
 * Does the snapshot hold Kubernetes keys (`/registry/...`)? Reads the `key` bucket (one entry per
 * revision, value = mvccpb.KeyValue) and stops at the first hit.
 */
export function findKubernetesKey(snapshotFile: string): string | undefined {
  const db = BoltFile.open(snapshotFile);
  try {
    const bucket = db.bucket('key');
    if (!bucket) return undefined;
    const prefix = Buffer.from(KUBERNETES_PREFIX);
    for (const e of db.leafElements(bucket)) {
      const k = keyOfKeyValue(e.value);
      if (k && k.length >= prefix.length && k.subarray(0, prefix.length).equals(prefix)) return k.toString('utf8');
    }
    return undefined;
  } finally {
    db.close();
  }
}

export interface RevisionBump {
  amount: number;
  markCompacted: true;
  reason: string;
}

export interface BumpDecisionInput {
  /** `--bump-revision N` (a number), `--no-bump-revision` (false), or nothing (undefined). */
  asked: number | false | undefined;
  markCompacted: boolean | undefined;
  /** A Kubernetes key found in the snapshot (undefined: none). */
  kubernetesKey: string | undefined;
  /** When the snapshot was taken (manifest), for the size of the default bump. */
  snapshotCreatedAt: string | null | undefined;
  now: Date;
  /** The restore tool can bump (`--bump-revision` in its `snapshot restore --help`). */
  toolCanBump: boolean;
  toolName: string;
}

export interface BumpDecision {
  bump: RevisionBump | null;
  notes: string[];
}

/**
 * Whether and how far to bump (pure). Explicit flags win and are checked as etcdutl checks them (both or
 * neither); with a Kubernetes key and no flag, the bump is on by default with upstream's N, one week's
 * worth per week of snapshot age.
 */
export function decideRevisionBump(i: BumpDecisionInput): BumpDecision {
  if (i.asked === false) {
    if (i.markCompacted) throw new UsageError('--mark-compacted with --no-bump-revision', { hint: 'etcdutl marks the bumped revision compacted: drop one of the two' });
    return { bump: null, notes: i.kubernetesKey ? [`the snapshot holds Kubernetes keys (e.g. ${i.kubernetesKey}) and --no-bump-revision was given: revisions restart at the snapshot's, older than what API servers have cached; restart every kube-apiserver before it serves again`] : [] };
  }
  if (typeof i.asked === 'number') {
    if (!Number.isSafeInteger(i.asked) || i.asked <= 0) throw new UsageError(`--bump-revision: "${i.asked}" is not a positive whole number`, { hint: `e.g. --bump-revision ${BUMP_PER_WEEK} --mark-compacted` });
    if (!i.markCompacted) throw new UsageError('--bump-revision needs --mark-compacted', { hint: 'etcdutl requires both: the bumped revision is marked compacted so old watches are cancelled (add --mark-compacted)' });
    if (!i.toolCanBump) throw new UsageError(`--bump-revision: ${i.toolName} cannot bump revisions (etcdutl/etcdctl 3.5.10+ can)`, { code: 'bump-unsupported', hint: 'restore with a newer version: --version 3.5.x (3.5.10 or later), or drop --bump-revision' });
    return { bump: { amount: i.asked, markCompacted: true, reason: 'asked with --bump-revision' }, notes: [] };
  }
  if (i.markCompacted) throw new UsageError('--mark-compacted needs --bump-revision N', { hint: `etcdutl marks the bumped revision compacted, e.g. --bump-revision ${BUMP_PER_WEEK} --mark-compacted` });
  if (!i.kubernetesKey) return { bump: null, notes: [] };
  if (!i.toolCanBump) {
    return {
      bump: null,
      notes: [`the snapshot holds Kubernetes keys (e.g. ${i.kubernetesKey}), but ${i.toolName} cannot bump revisions (etcdutl/etcdctl 3.5.10+ can): restored WITHOUT a revision bump, so revisions restart at the snapshot's; restart every kube-apiserver before it serves again, or restore with --version 3.5.10+`],
    };
  }
  const created = i.snapshotCreatedAt ? Date.parse(i.snapshotCreatedAt) : NaN;
  const weeks = Number.isFinite(created) ? Math.max(1, Math.ceil((i.now.getTime() - created) / WEEK_MS)) : 1;
  const amount = weeks * BUMP_PER_WEEK;
  const age = Number.isFinite(created) ? `the snapshot is ${formatAge(i.now.getTime() - created)} old` : 'the snapshot\'s age is unknown (no manifest)';
  return {
    bump: {
      amount,
      markCompacted: true,
      reason: `the snapshot holds Kubernetes keys (e.g. ${i.kubernetesKey}): revisions must not go backwards for the API servers' watch caches (etcd-io/etcd#16028); ${amount.toLocaleString('en-US')} = etcd's recovery guide's 1,000,000,000 per week (a week at < 1,500 writes/s), ${age}`,
    },
    notes: [`Kubernetes keys found (e.g. ${i.kubernetesKey}): restoring with --bump-revision ${amount} --mark-compacted (etcd's guidance for Kubernetes; every watch from an older revision gets "compacted" and relists). Pass --no-bump-revision to restore without.`],
  };
}

function formatAge(ms: number): string {
  if (ms < 3_600_000) return `${Math.max(0, Math.round(ms / 60_000))} min`;
  if (ms < 86_400_000) return `${Math.round(ms / 3_600_000)} h`;
  return `${Math.round(ms / 86_400_000)} days`;
}

const bumpSupport = new Map<string, Promise<boolean>>();

/** Does this restore tool know `--bump-revision`? Read from its own `snapshot restore --help` (cached per binary). */
export function toolCanBump(tool: RestoreTool): Promise<boolean> {
  let p = bumpSupport.get(tool.binary);
  if (!p) {
    p = new Promise<boolean>((resolve) => {
      execFile(tool.binary, ['snapshot', 'restore', '--help'], { env: { ...process.env, ...tool.env }, timeout: 10_000 }, (_err, stdout, stderr) => resolve(/--bump-revision/.test(`${stdout}${stderr}`)));
    });
    bumpSupport.set(tool.binary, p);
  }
  return p;
}
