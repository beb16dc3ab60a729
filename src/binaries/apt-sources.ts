/**
 * Reading the machine's apt sources, in both formats apt accepts (sources.list(5)):
 * one-line `deb [opts] URI SUITE COMPONENT...` files (`sources.list`, `sources.list.d/*.list`) and
 * deb822 paragraphs (`sources.list.d/*.sources`). Parsing is pure; reading the files is separate.
 * Hand-written because no maintained npm library parses apt sources (both formats are a few lines).
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export interface AptSourceEntry {
  /** File the entry came from (for messages). */
  file: string;
  types: string[];
  uris: string[];
  suites: string[];
  components: string[];
  enabled: boolean;
  /** `signed-by` / `Signed-By` when it names a keyring file (an inline key block is not kept). */
  signedBy?: string;
}

/** One-line format (`deb [arch=amd64 signed-by=/k.gpg] http://h/debian bookworm main`). */
export function parseOneLineSources(text: string, file = 'sources.list'): AptSourceEntry[] {
  const out: AptSourceEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const m = /^(deb|deb-src)\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)(?:\s+(.*))?$/.exec(line);
    if (!m) continue;
    const opts = new Map<string, string>();
    for (const kv of (m[2] ?? '').trim().split(/\s+/)) {
      const eq = kv.indexOf('=');
      if (eq > 0) opts.set(kv.slice(0, eq).toLowerCase(), kv.slice(eq + 1));
    }
    const entry: AptSourceEntry = {
      file,
      types: [m[1]!],
      uris: [m[3]!],
      suites: [m[4]!],
      components: (m[5] ?? '').split(/\s+/).filter(Boolean),
      enabled: true,
    };
    const signedBy = opts.get('signed-by');
    if (signedBy) entry.signedBy = signedBy;
    out.push(entry);
  }
  return out;
}

/** deb822 format: paragraphs of `Field: value` lines, continuation lines start with whitespace. */
export function parseDeb822Sources(text: string, file = 'debian.sources'): AptSourceEntry[] {
  const out: AptSourceEntry[] = [];
  const paragraphs: Map<string, string>[] = [];
  let cur: Map<string, string> | undefined;
  let lastKey: string | undefined;
  for (const raw of text.split('\n')) {
    if (raw.startsWith('#')) continue;
    if (raw.trim() === '') {
      cur = undefined;
      lastKey = undefined;
      continue;
    }
    if (/^\s/.test(raw)) {
      if (cur && lastKey) cur.set(lastKey, `${cur.get(lastKey)}\n${raw.trim()}`);
      continue;
    }
    const colon = raw.indexOf(':');
    if (colon <= 0) continue;
    if (!cur) {
      cur = new Map();
      paragraphs.push(cur);
    }
    lastKey = raw.slice(0, colon).trim().toLowerCase();
    cur.set(lastKey, raw.slice(colon + 1).trim());
  }
  const words = (v: string | undefined): string[] => (v ?? '').split(/\s+/).filter(Boolean);
  for (const p of paragraphs) {
    const entry: AptSourceEntry = {
      file,
      types: words(p.get('types')),
      uris: words(p.get('uris')),
      suites: words(p.get('suites')),
      components: words(p.get('components')),
      enabled: !/^(no|false|0)$/i.test(p.get('enabled') ?? 'yes'),
    };
    const signedBy = p.get('signed-by');
    // A value without newlines is a keyring path (or fingerprints); an embedded key block is multi-line.
    if (signedBy && !signedBy.includes('\n')) entry.signedBy = signedBy;
    if (entry.types.length && entry.uris.length && entry.suites.length) out.push(entry);
  }
  return out;
}

export interface AptSourcePaths {
  sourceList: string;
  sourceParts: string;
}

/** Where this machine's apt reads sources from (`apt-config`), defaulting to /etc/apt. */
export async function systemAptSourcePaths(): Promise<AptSourcePaths> {
  const dflt = { sourceList: '/etc/apt/sources.list', sourceParts: '/etc/apt/sources.list.d/' };
  try {
    const { stdout } = await promisify(execFile)('apt-config', ['shell', 'SL', 'Dir::Etc::sourcelist/f', 'SP', 'Dir::Etc::sourceparts/d'], {
      timeout: 10_000,
    });
    const get = (k: string): string | undefined => new RegExp(`^${k}='([^']*)'`, 'm').exec(stdout)?.[1];
    return { sourceList: get('SL') ?? dflt.sourceList, sourceParts: get('SP') ?? dflt.sourceParts };
  } catch {
    return dflt;
  }
}

/** All entries of the apt configuration at `paths` (files apt ignores, e.g. `*.disabled`, are ignored too). */
export async function readAptSources(paths: AptSourcePaths): Promise<AptSourceEntry[]> {
  const out: AptSourceEntry[] = [];
  const tryRead = async (f: string): Promise<string | undefined> => readFile(f, 'utf8').catch(() => undefined);
  const main = await tryRead(paths.sourceList);
  if (main !== undefined) out.push(...parseOneLineSources(main, paths.sourceList));
  const names = (await readdir(paths.sourceParts).catch(() => [] as string[])).sort();
  for (const n of names) {
    // apt reads only these extensions from sourceparts (sources.list(5)).
    if (!/^[A-Za-z0-9_.-]+\.(list|sources)$/.test(n)) continue;
    const f = join(paths.sourceParts, n);
    const text = await tryRead(f);
    if (text === undefined) continue;
    out.push(...(n.endsWith('.sources') ? parseDeb822Sources(text, f) : parseOneLineSources(text, f)));
  }
  return out;
}

/** Distinct http(s) archive URIs of enabled binary (`deb`) entries, with the suites configured for each. */
export function binaryArchiveCandidates(entries: readonly AptSourceEntry[]): { uri: string; suites: string[] }[] {
  const byUri = new Map<string, Set<string>>();
  for (const e of entries) {
    if (!e.enabled || !e.types.includes('deb')) continue;
    for (const u of e.uris) {
      if (!/^https?:\/\//i.test(u)) continue;
      const uri = u.replace(/\/+$/, '');
      const set = byUri.get(uri) ?? new Set<string>();
      for (const s of e.suites) if (!s.endsWith('/')) set.add(s);
      byUri.set(uri, set);
    }
  }
  return [...byUri].map(([uri, s]) => ({ uri, suites: [...s] }));
}
