/**
 * `contract diff` without the CLI: etcd's API of two releases compared by buf (WIRE_JSON: etcd's gateway
 * speaks JSON; WIRE: binary gRPC clients) and by the etcd-aware checks of diff.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import semver from 'semver';
import { UsageError } from '../core/errors.js';
import { bufBreaking, bufVersion, findBuf, type BufFinding } from './buf.js';
import { apiData, describeSource, resolveApi, snapshotProtos, writeSnapshotTree, type ApiData, type ResolvedApi } from './data.js';
import { diffFindings, diffSnapshots, type ContractFinding, type StructuralDiff } from './diff.js';
import { parseApi, type ApiModel } from './model.js';

export const DIFF_CATEGORIES = ['WIRE_JSON', 'WIRE'] as const;

export interface EtcdContractDiff extends StructuralDiff {
  from: string;
  to: string;
  sources: { from: string; to: string; data: string };
  notes: string[];
  buf: { available: boolean; version?: string; reason?: string; categories: Record<string, BufFinding[]> };
  findings: ContractFinding[];
  summary: { blockers: number; warnings: number; infos: number };
}

const models = new Map<string, ApiModel>();

export function modelOf(r: ResolvedApi, data: ApiData = apiData()): ApiModel {
  let m = models.get(r.snapshotId);
  if (!m) models.set(r.snapshotId, (m = parseApi(snapshotProtos(r, data))));
  return m;
}

export async function diffEtcdApi(fromV: string, toV: string, opts: { buf?: boolean; env?: NodeJS.ProcessEnv; data?: ApiData } = {}): Promise<EtcdContractDiff> {
  const data = opts.data ?? apiData();
  const from = resolveApi(fromV, data);
  const to = resolveApi(toV, data);
  if (semver.gt(from.version, to.version)) throw new UsageError(`--from ${from.version} is newer than --to ${to.version}`, { hint: 'contract diff compares an older release with a newer one (a downgrade is the same diff read backwards)' });
  const structural = diffSnapshots({ version: from.version, snapshot: from.snapshot, model: modelOf(from, data) }, { version: to.version, snapshot: to.snapshot, model: modelOf(to, data) });
  const findings = diffFindings(structural, from.version, to.version);
  const notes = [from.note, to.note].filter((n): n is string => !!n);
  const buf: EtcdContractDiff['buf'] = { available: false, categories: {} };
  const bin = opts.buf === false ? undefined : findBuf(opts.env);
  if (opts.buf === false) buf.reason = 'skipped (--no-buf)';
  else if (!bin) buf.reason = `buf is not available for ${process.platform}/${process.arch} (npm @bufbuild/buf); set UPSHIFT_BUF to a buf binary`;
  else if (from.snapshotId === to.snapshotId) {
    Object.assign(buf, { available: true, version: await bufVersion(bin), categories: Object.fromEntries(DIFF_CATEGORIES.map((c) => [c, []])) });
    notes.push(`${from.version} and ${to.version} ship the same API files, gateway routes and rewrites`);
  } else {
    const dir = await mkdtemp(join(tmpdir(), 'upshift-contract-'));
    try {
      await writeSnapshotTree(from, join(dir, 'from'), data);
      await writeSnapshotTree(to, join(dir, 'to'), data);
      buf.available = true;
      buf.version = await bufVersion(bin);
      for (const category of DIFF_CATEGORIES) {
        // Run inside the new tree: buf takes the inline config's module root from its working directory.
        buf.categories[category] = await bufBreaking(bin, { input: '.', against: join(dir, 'from'), category, cwd: join(dir, 'to') });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  // WIRE findings break every client (blocker); WIRE_JSON adds what breaks JSON (gateway) clients only.
  const wireAt = new Set((buf.categories.WIRE ?? []).map((f) => `${f.path}:${f.line}:${f.column}`));
  const bufFindings: ContractFinding[] = [];
  for (const category of DIFF_CATEGORIES) {
    for (const f of buf.categories[category] ?? []) {
      if (category === 'WIRE_JSON' && wireAt.has(`${f.path}:${f.line}:${f.column}`)) continue;
      bufFindings.push({ severity: category === 'WIRE' ? 'blocker' : 'warning', code: `buf-${f.rule.toLowerCase().replace(/_/g, '-')}`, subject: f.path, message: `buf ${category}: ${f.message}${f.path ? ` (${f.path}:${f.line})` : ''}`, source: `buf breaking --against ${from.version} (${category})` });
    }
  }
  findings.unshift(...bufFindings);
  const count = (s: string) => findings.filter((f) => f.severity === s).length;
  return {
    from: from.version,
    to: to.version,
    sources: { from: describeSource(from.source), to: describeSource(to.source), data: `${data.generatedBy} (${data.generatedAt})` },
    notes,
    buf,
    ...structural,
    findings,
    summary: { blockers: count('blocker'), warnings: count('warning'), infos: count('info') },
  };
}
