/**
 * Verify a backup: the snapshot's own integrity (integrity.ts) plus agreement with its manifest.
 */
import { basename } from 'node:path';
import { inspectSnapshot, type SnapshotInspection, type SnapshotProblem } from './integrity.js';
import { ManifestError, manifestPathFor, readManifest, type BackupManifest } from './manifest.js';

/** SPEC `backup save|verify` JSON, plus problems and extra facts. */
export interface BackupReport {
  file: string;
  size: number;
  sha256: string;
  revision: number | null;
  totalKeys: number | null;
  etcdVersion: string | null;
  clusterId: string | null;
  memberId: string | null;
  createdAt: string | null;
  ok: boolean;
  problems: SnapshotProblem[];
  /** Facts that are not damage (e.g. no manifest). */
  notes: string[];
  manifest: string | null;
  revisions: number | null;
  storageVersion: string | null;
  hashKV: BackupManifest['hashKV'];
}

export interface VerifyOptions {
  /** Manifest path; default FILE.manifest.json. */
  manifest?: string;
  /** A missing manifest is a problem, or (default) only a note: a snapshot from etcdctl has none. */
  requireManifest?: boolean;
  signal?: AbortSignal;
}

export async function verifyBackup(file: string, opts: VerifyOptions = {}): Promise<{ report: BackupReport; inspection: SnapshotInspection; manifest: BackupManifest | null }> {
  const inspection = await inspectSnapshot(file, { signal: opts.signal });
  const problems = [...inspection.problems];
  const notes: string[] = [];
  const manifestPath = opts.manifest ?? manifestPathFor(file);
  let manifest: BackupManifest | null = null;
  try {
    manifest = await readManifest(manifestPath);
  } catch (e) {
    if (e instanceof ManifestError && e.kind === 'missing') {
      const message = `no manifest beside the snapshot (${basename(manifestPath)}): size, sha256 and revision cannot be checked against the save`;
      if (opts.requireManifest === true) problems.push({ code: 'manifest-missing', message });
      else notes.push(message);
    } else {
      problems.push({ code: 'manifest-unreadable', message: (e as Error).message });
    }
  }
  if (manifest) problems.push(...compareWithManifest(inspection, manifest));
  const info = inspection.info;
  const report: BackupReport = {
    file,
    size: inspection.size,
    sha256: inspection.sha256,
    revision: info?.revision ?? null,
    totalKeys: info?.totalKeys ?? null,
    etcdVersion: manifest?.etcdVersion ?? null,
    clusterId: manifest?.clusterId ?? null,
    memberId: manifest?.memberId ?? null,
    createdAt: manifest?.createdAt ?? null,
    ok: problems.length === 0,
    problems,
    notes,
    manifest: manifest ? manifestPath : null,
    revisions: info?.revisions ?? null,
    storageVersion: info?.storageVersion ?? manifest?.storageVersion ?? null,
    hashKV: manifest?.hashKV ?? null,
  };
  return { report, inspection, manifest };
}

/** Each field the manifest fixes and the file must still have. */
export function compareWithManifest(ins: SnapshotInspection, m: BackupManifest): SnapshotProblem[] {
  const out: SnapshotProblem[] = [];
  const diff = (what: string, recorded: unknown, actual: unknown): void => {
    out.push({ code: 'manifest-mismatch', message: `${what} differs from the manifest: recorded ${String(recorded)}, file has ${String(actual)}` });
  };
  if (ins.size !== m.size) diff('size', m.size, ins.size);
  if (ins.sha256 && ins.sha256 !== m.sha256) diff('sha256', m.sha256, ins.sha256);
  if (ins.info) {
    if (ins.info.revision !== m.revision) diff('revision', m.revision, ins.info.revision);
    if (ins.info.totalKeys !== m.totalKeys) diff('totalKeys', m.totalKeys, ins.info.totalKeys);
    if (ins.info.revisions !== m.revisions) diff('revisions (entries of the key bucket)', m.revisions, ins.info.revisions);
  }
  return out;
}
