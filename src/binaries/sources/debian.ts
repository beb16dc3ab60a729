/**
 * The `debian` source: Debian's etcd-server/etcd-client packages from every Debian release the
 * machine's configured Debian mirror serves. Discover (I/O: apt sources, Release files, private apt
 * indices) -> pick (pure: `pickOffer`) -> fetch (apt-get download, verify, unpack).
 * The mirror is whatever the machine's apt configuration names: no host is built in.
 */
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import pLimit from 'p-limit';
import { EnvironmentError, ProblemError, isUpshiftError, errorMessage } from '../../core/errors.js';
import { writeFileAtomic } from '../../core/files.js';
import { homePaths } from '../../core/home.js';
import { note } from '../../core/context.js';
import { readAptSources, systemAptSourcePaths, binaryArchiveCandidates, type AptSourcePaths } from '../apt-sources.js';
import { DEBIAN_ARCHIVE_KEYRING, PrivateAptSuite, parseControl, runAptTool } from '../apt.js';
import { upstreamFromDebian } from '../debian-version.js';
import { fetchText } from '../http.js';
import { extractDeb } from '../deb.js';
import { sha256File, BINARY_NAMES } from '../probe.js';
import type { BinaryName } from '../layout.js';
import { checksumMismatch } from './github.js';
import { compareVersions, unknownVersion, type AvailableReport, type BinarySource, type FetchedBinaries, type OfferedVersion, type SourceContext } from './source.js';

/**
 * Suite aliases every Debian mirror publishes (Debian Policy / the archive's `dists/` layout); each
 * Release file names the codename behind it, so the releases are discovered, not hard-coded.
 */
export const DEBIAN_SUITE_ALIASES = ['oldoldstable', 'oldstable', 'stable', 'testing', 'unstable'] as const;
const SERVER_PKG = 'etcd-server';
const CLIENT_PKG = 'etcd-client';
/** Indices older than this are refreshed before answering `list --available` or a miss. */
const INDEX_MAX_AGE_MS = 24 * 3_600_000;
const DISCOVERY_MAX_AGE_MS = 24 * 3_600_000;
/** A miss in indices younger than this is final (use --refresh to force); older ones are refreshed once. */
const MISS_REFRESH_AGE_MS = 10 * 60_000;

export interface DebianSuite {
  uri: string;
  codename: string;
  aliases: string[];
  /** Debian release number (`12.15`) when the Release file has one (testing/unstable have none). */
  release?: string;
}

export interface DebianSourceOptions {
  requestDeadlineMs: number;
  downloadDeadlineMs: number;
  /** Re-discover suites and re-run apt-get update even if the cached state is fresh. */
  refresh?: boolean;
  /** For tests: read apt sources from here instead of the system's configuration. */
  aptSources?: AptSourcePaths;
  keyring?: string;
}

/** The Debian architecture name of this machine (dpkg's names). */
export function debianArch(arch = process.arch): string {
  const m: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: 'i386', arm: 'armhf', ppc64: 'ppc64el', s390x: 's390x', riscv64: 'riscv64' };
  return m[arch] ?? arch;
}

/** Whether a Release file's header describes a Debian archive suite usable here. */
export function isDebianRelease(fields: Record<string, string>, arch = debianArch()): boolean {
  const words = (k: string): string[] => (fields[k] ?? '').split(/\s+/).filter(Boolean);
  return fields.Origin === 'Debian' && fields.Label === 'Debian' && !!fields.Codename && words('Components').some((c) => c === 'main' || c.endsWith('/main')) && words('Architectures').includes(arch);
}

/** Order suites oldest release first: aliases in archive order, then the rest by release number. */
export function orderSuites(suites: DebianSuite[]): DebianSuite[] {
  const rank = (s: DebianSuite): number => {
    const r = Math.min(...s.aliases.map((a) => (DEBIAN_SUITE_ALIASES as readonly string[]).indexOf(a)).filter((i) => i >= 0));
    return Number.isFinite(r) ? r : 10;
  };
  return [...suites].sort((a, b) => rank(a) - rank(b) || Number(a.release ?? 1e9) - Number(b.release ?? 1e9) || a.codename.localeCompare(b.codename));
}

/** Package versions of one suite -> the upstream versions it offers (both packages must carry it). */
export interface SuiteOffer {
  suite: DebianSuite;
  version: string;
  server: string;
  client: string;
}

export function offersOf(suite: DebianSuite, serverVersions: string[], clientVersions: string[]): SuiteOffer[] {
  const out: SuiteOffer[] = [];
  for (const server of serverVersions) {
    const version = upstreamFromDebian(server);
    if (!version) continue;
    // Prefer the client build of the same Debian version; fall back to any of the same upstream release.
    const client = clientVersions.find((c) => c === server) ?? clientVersions.find((c) => upstreamFromDebian(c) === version);
    if (client) out.push({ suite, version, server, client });
  }
  return out;
}

/** The offer to install `version` from: the first suite (oldest release) that has it. */
export function pickOffer(offers: readonly SuiteOffer[], version: string): SuiteOffer | undefined {
  return offers.find((o) => o.version === version);
}

interface SuiteState {
  suite: DebianSuite;
  apt: PrivateAptSuite;
  offers?: SuiteOffer[];
  updatedThisRun: boolean;
  error?: string;
}

interface DiscoveryFile {
  discoveredAt: string;
  candidates: string;
  suites: DebianSuite[];
  warnings: string[];
}

export class DebianSource implements BinarySource {
  readonly name = 'debian';
  private states?: Promise<{ states: SuiteState[]; warnings: string[] }>;

  constructor(private readonly opts: DebianSourceOptions) {}

  private aptDir(ctx: SourceContext): string {
    return join(homePaths.cacheDir(ctx.home), 'apt');
  }

  /** Fail early (exit 3) when this machine cannot use the Debian route at all. */
  private async checkTools(ctx: SourceContext): Promise<void> {
    await runAptTool('apt-get', ['--version'], { deadlineMs: 15_000, signal: ctx.signal, env: ctx.env });
    const keyring = this.opts.keyring ?? DEBIAN_ARCHIVE_KEYRING;
    if (!existsSync(keyring)) {
      throw new EnvironmentError('keyring-missing', `the Debian archive keyring ${keyring} is missing, so signatures cannot be verified`, {
        hint: 'install the debian-archive-keyring package',
      });
    }
  }

  /** Which Debian suites the configured mirror(s) serve (cached for a day in cache/apt/discovery.json). */
  async discover(ctx: SourceContext): Promise<{ suites: DebianSuite[]; warnings: string[] }> {
    const paths = this.opts.aptSources ?? (await systemAptSourcePaths());
    const candidates = binaryArchiveCandidates(await readAptSources(paths));
    const candidatesKey = JSON.stringify(candidates);
    const cacheFile = join(this.aptDir(ctx), 'discovery.json');
    if (!this.opts.refresh) {
      const cached = await readFile(cacheFile, 'utf8').then((t) => JSON.parse(t) as DiscoveryFile).catch(() => undefined);
      if (cached && cached.candidates === candidatesKey && Date.now() - Date.parse(cached.discoveredAt) < DISCOVERY_MAX_AGE_MS && cached.suites.length) {
        return { suites: cached.suites, warnings: cached.warnings };
      }
    }
    if (candidates.length === 0) {
      throw new EnvironmentError('no-debian-mirror', `no http(s) apt source is configured in ${paths.sourceList} or ${paths.sourceParts}`, {
        hint: 'configure a Debian mirror for apt, or use --source github',
      });
    }
    const warnings: string[] = [];
    const unreachable: string[] = [];
    const byCodename = new Map<string, DebianSuite>();
    const release = async (uri: string, suite: string): Promise<Record<string, string> | undefined> => {
      const url = `${uri}/dists/${suite}/Release`;
      try {
        const r = await fetchText(url, ctx, this.opts.requestDeadlineMs);
        return r.status === 200 ? parseControl(r.text) : undefined;
      } catch (e) {
        unreachable.push(isUpshiftError(e) ? e.message : `${url}: ${errorMessage(e)}`);
        return undefined;
      }
    };
    for (const c of candidates) {
      // Is this a Debian archive? Judge by the suites the machine already uses from it.
      const own = await Promise.all(c.suites.map(async (s) => ({ s, f: await release(c.uri, s) })));
      if (!own.some((o) => o.f && o.f.Origin === 'Debian' && o.f.Label === 'Debian')) continue;
      const probes = [...new Set([...DEBIAN_SUITE_ALIASES, ...c.suites])];
      const found = await Promise.all(probes.map(async (s) => ({ s, f: own.find((o) => o.s === s)?.f ?? (await release(c.uri, s)) })));
      for (const { s, f } of found) {
        if (!f || !isDebianRelease(f)) continue;
        const key = `${c.uri} ${f.Codename}`;
        const cur = byCodename.get(key) ?? { uri: c.uri, codename: f.Codename!, aliases: [], ...(f.Version ? { release: f.Version } : {}) };
        if (s !== f.Codename && !cur.aliases.includes(s)) cur.aliases.push(s);
        byCodename.set(key, cur);
      }
    }
    const suites = orderSuites([...byCodename.values()]);
    if (suites.length === 0) {
      if (unreachable.length) {
        throw new EnvironmentError('unreachable', `no Debian mirror could be reached: ${unreachable.join('; ')}`, {
          hint: 'check the network or proxy, or use --source github / dir:PATH',
        });
      }
      throw new EnvironmentError('no-debian-mirror', `none of the apt sources (${candidates.map((c) => c.uri).join(', ')}) is a Debian archive`, {
        hint: 'configure a Debian mirror for apt, or use --source github',
      });
    }
    warnings.push(...unreachable);
    // A partial answer (some Release files unreachable) is used for this run but not remembered.
    if (unreachable.length === 0) await writeFileAtomic(cacheFile, JSON.stringify({ discoveredAt: new Date().toISOString(), candidates: candidatesKey, suites, warnings } satisfies DiscoveryFile, null, 2) + '\n', { mode: 0o644 });
    return { suites, warnings };
  }

  private suiteDir(ctx: SourceContext, s: DebianSuite): string {
    const host = s.uri.replace(/^https?:\/\//, '').replace(/[^A-Za-z0-9.-]+/g, '_');
    return join(this.aptDir(ctx), host, s.codename);
  }

  private async loadStates(ctx: SourceContext): Promise<{ states: SuiteState[]; warnings: string[] }> {
    this.states ??= (async () => {
      await this.checkTools(ctx);
      const { suites, warnings } = await this.discover(ctx);
      const keyring = this.opts.keyring ?? DEBIAN_ARCHIVE_KEYRING;
      return { states: suites.map((suite) => ({ suite, apt: new PrivateAptSuite(this.suiteDir(ctx, suite), suite.uri, suite.codename, keyring), updatedThisRun: false })), warnings };
    })();
    return this.states;
  }

  /** apt-get update the given suites (two at a time), recording failures per suite. */
  private async update(states: SuiteState[], ctx: SourceContext): Promise<void> {
    const limit = pLimit(2);
    await Promise.all(
      states.map((st) =>
        limit(async () => {
          note(ctx, `  apt-get update (private state): ${st.apt.label}`);
          try {
            await st.apt.update({ deadlineMs: this.opts.downloadDeadlineMs, signal: ctx.signal, env: ctx.env });
            delete st.error;
          } catch (e) {
            if (!isUpshiftError(e)) throw e;
            st.error = e.message;
          }
          st.updatedThisRun = true;
          delete st.offers;
        }),
      ),
    );
  }

  /** Read a suite's offers from its (already updated) private index; a failure is recorded on the suite. */
  private async readOffers(st: SuiteState, ctx: SourceContext): Promise<void> {
    if (st.offers || st.error) return;
    try {
      await st.apt.prepare();
      const q = { deadlineMs: this.opts.requestDeadlineMs, signal: ctx.signal, env: ctx.env };
      st.offers = offersOf(st.suite, await st.apt.versions(SERVER_PKG, q), await st.apt.versions(CLIENT_PKG, q));
    } catch (e) {
      if (!isUpshiftError(e)) throw e;
      st.error = e.message;
    }
  }

  /**
   * Offers of each suite, updating indices that are missing or stale (after a miss: older than 10
   * minutes). Updates go oldest release first, two at a time, and stop as soon as `found()` holds, so
   * installing one version refreshes only the suites it has to look at.
   */
  private async offers(ctx: SourceContext, onMiss: boolean, found?: () => boolean): Promise<{ states: SuiteState[]; warnings: string[] }> {
    const { states, warnings } = await this.loadStates(ctx);
    const need: SuiteState[] = [];
    const maxAge = onMiss ? MISS_REFRESH_AGE_MS : INDEX_MAX_AGE_MS;
    for (const st of states) {
      const at = st.updatedThisRun ? undefined : await st.apt.updatedAt();
      if (!st.updatedThisRun && (this.opts.refresh || !at || Date.now() - at.getTime() > maxAge)) need.push(st);
      else await this.readOffers(st, ctx);
    }
    for (let i = 0; i < need.length && !found?.(); i += 2) {
      const batch = need.slice(i, i + 2);
      await this.update(batch, ctx);
      for (const st of batch) await this.readOffers(st, ctx);
    }
    const read = states.filter((s) => s.offers || s.error);
    if (read.length && read.every((s) => s.error)) {
      throw new EnvironmentError('debian-unusable', `no Debian suite could be read: ${read.map((s) => `${s.suite.codename}: ${s.error}`).join('; ')}`, {
        hint: 'check the network, the mirror and the debian-archive-keyring package',
      });
    }
    return { states, warnings };
  }

  async fetch(version: string, workDir: string, ctx: SourceContext): Promise<FetchedBinaries> {
    let states: SuiteState[] = [];
    const find = (): SuiteOffer | undefined => pickOffer(states.flatMap((s) => s.offers ?? []), version);
    ({ states } = await this.loadStates(ctx));
    ({ states } = await this.offers(ctx, false, () => !!find()));
    let offer = find();
    if (!offer) {
      // A miss in cached indices may just mean they are old: refresh once, then decide.
      ({ states } = await this.offers(ctx, true, () => !!find()));
      offer = find();
    }
    if (!offer) {
      const offered = [...new Set(states.flatMap((s) => s.offers ?? []).map((o) => o.version))].sort(compareVersions);
      const where = `${[...new Set(states.map((s) => s.suite.uri))].join(', ')} suites ${states.map((s) => s.suite.codename).join(', ')}`;
      const failed = states.filter((s) => s.error);
      if (failed.length) {
        // Some suites could not be read: the version might be there, so this is an environment problem.
        throw new EnvironmentError('debian-partial', `etcd ${version} is not in the readable Debian suites (${where}); unreadable: ${failed.map((s) => `${s.suite.codename}: ${s.error}`).join('; ')}`, {
          details: { offered },
        });
      }
      throw unknownVersion('debian', version, offered, where);
    }
    const st = states.find((s) => s.suite === offer.suite)!;
    const q = { deadlineMs: this.opts.requestDeadlineMs, signal: ctx.signal, env: ctx.env };
    const records = { [SERVER_PKG]: await st.apt.show(SERVER_PKG, offer.server, q), [CLIENT_PKG]: await st.apt.show(CLIENT_PKG, offer.client, q) };
    const debDir = join(workDir, 'debs');
    await mkdir(debDir);
    const label = `${offer.suite.codename}${offer.suite.aliases.length ? ` (${offer.suite.aliases.join(', ')})` : ''}`;
    note(ctx, `  apt-get download ${SERVER_PKG}=${offer.server} ${CLIENT_PKG}=${offer.client} from ${offer.suite.uri} ${label} (${formatSize(records)})`);
    const debs = await st.apt.download(
      [
        { name: SERVER_PKG, version: offer.server },
        { name: CLIENT_PKG, version: offer.client },
      ],
      debDir,
      { deadlineMs: this.opts.downloadDeadlineMs, signal: ctx.signal, env: ctx.env, progressToStderr: ctx.interactive && ctx.stderr === process.stderr },
    );
    const root = join(workDir, 'root');
    await mkdir(root);
    const detail: Record<string, string> = { mirror: offer.suite.uri, suite: offer.suite.codename, suiteAliases: offer.suite.aliases.join(' ') };
    const origins: Partial<Record<BinaryName, string>> = {};
    for (const pkg of [SERVER_PKG, CLIENT_PKG] as const) {
      const deb = debs.get(pkg);
      if (!deb) throw new ProblemError('apt-download-failed', `apt-get download reported success but left no ${pkg} .deb in ${debDir}`);
      // apt verified the file against the signed index; check again, so the manifest records a checked hash.
      const want = records[pkg].SHA256?.toLowerCase();
      const got = await sha256File(deb);
      const name = deb.slice(deb.lastIndexOf('/') + 1);
      if (!want) throw new ProblemError('checksum-missing', `the ${offer.suite.codename} index has no SHA256 for ${pkg} ${records[pkg].Version}`);
      if (want !== got) throw checksumMismatch(name, `${offer.suite.uri}/${records[pkg].Filename}`, want, got, `${offer.suite.codename} Packages index`);
      detail[`${pkg}`] = records[pkg].Version ?? '';
      detail[`${pkg}.sha256`] = got;
      detail[`${pkg}.url`] = `${offer.suite.uri}/${records[pkg].Filename}`;
      const before = new Set(await listBins(root));
      await extractDeb(deb, root);
      for (const b of await listBins(root)) if (!before.has(b)) origins[b] = `${name}:/usr/bin/${b}`;
    }
    const files: Partial<Record<BinaryName, string>> = {};
    for (const b of BINARY_NAMES) if (origins[b]) files[b] = join(root, 'usr/bin', b);
    return { source: 'debian', files, origins, detail };
  }

  async available(ctx: SourceContext): Promise<AvailableReport> {
    const report: AvailableReport = { source: 'debian', origin: '', reachable: false, versions: [] };
    try {
      const { states, warnings } = await this.offers(ctx, false);
      report.origin = [...new Set(states.map((s) => s.suite.uri))].join(' ');
      report.reachable = true;
      const versions: OfferedVersion[] = [];
      for (const st of states) {
        for (const o of st.offers ?? []) {
          versions.push({ version: o.version, detail: `${st.suite.codename}${st.suite.aliases.length ? ` (${st.suite.aliases.join(', ')})` : ''}: ${SERVER_PKG} ${o.server}` });
        }
      }
      report.versions = versions;
      const w = [...warnings, ...states.filter((s) => s.error).map((s) => `${s.suite.codename}: ${s.error}`)];
      if (w.length) report.warnings = w;
    } catch (e) {
      report.error = isUpshiftError(e) ? e.message : errorMessage(e);
    }
    return report;
  }
}

async function listBins(root: string): Promise<BinaryName[]> {
  const names = await readdir(join(root, 'usr/bin')).catch(() => [] as string[]);
  return BINARY_NAMES.filter((b) => names.includes(b));
}

function formatSize(records: Record<string, Record<string, string>>): string {
  const bytes = Object.values(records).reduce((n, r) => n + Number(r.Size ?? 0), 0);
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}
