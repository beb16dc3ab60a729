/**
 * apt with a PRIVATE state directory: one per (mirror, suite) under $UPSHIFT_HOME/cache/apt, so
 * upshift can read any Debian release's etcd packages without touching the system's apt setup
 * (its lists, cache, sources, keyrings and hooks stay as they are). apt still does the security
 * work: it verifies the suite's InRelease signature with the Debian archive keyring and each
 * downloaded .deb against the hashes in the signed Packages index.
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile, stat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvironmentError, UpshiftError, ExitCode } from '../core/errors.js';
import { formatDuration } from '../core/output.js';
import { withLock } from './lock.js';

/** Debian's archive keyring as shipped by the debian-archive-keyring package. */
export const DEBIAN_ARCHIVE_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

/** Seconds apt waits on a silent connection (apt.conf(5) Acquire::http::Timeout). */
const APT_HTTP_TIMEOUT_S = 30;

export interface AptRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface AptRunOptions {
  cwd?: string;
  deadlineMs: number;
  signal?: AbortSignal;
  /** The command's environment (proxy variables, PATH); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Let apt draw its own progress on our stderr (only when stderr is a terminal). */
  progressToStderr?: boolean;
}

/** Run an apt tool with LC_ALL=C (parsable output) and a hard deadline (the process is killed after it). */
export function runAptTool(tool: string, args: string[], opts: AptRunOptions): Promise<AptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, {
      cwd: opts.cwd,
      env: { ...(opts.env ?? process.env), LC_ALL: 'C', LANG: 'C', DEBIAN_FRONTEND: 'noninteractive' },
      // apt prints its progress meter only to a terminal; pointing its stdout at ours (fd 2) shows it.
      stdio: ['ignore', opts.progressToStderr ? 2 : 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const kill = (): void => {
      if (child.exitCode === null) child.kill('SIGTERM');
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, opts.deadlineMs);
    // An abort that came before the spawn must stop it too (the listener alone would never fire).
    if (opts.signal?.aborted) kill();
    else opts.signal?.addEventListener('abort', kill, { once: true });
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (e.code === 'ENOENT') {
        reject(
          new EnvironmentError('apt-missing', `${tool} is not installed (needed by --source debian)`, {
            hint: 'run on a Debian/Ubuntu machine with apt, or use --source github or --source dir:PATH',
          }),
        );
      } else reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', kill);
      if (timedOut) {
        reject(
          new EnvironmentError('apt-timeout', `${tool} ${args.filter((a) => !a.startsWith('-')).join(' ')} did not finish within the ${formatDuration(opts.deadlineMs)} deadline`, {
            hint: 'the Debian mirror is slow or unreachable; raise --timeout or check the network',
            details: { deadlineMs: opts.deadlineMs },
          }),
        );
      } else resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

/** `E:`/`W:` lines of apt output, the part worth showing a user. */
export function aptProblems(run: AptRun): { errors: string[]; warnings: string[] } {
  const lines = `${run.stdout}\n${run.stderr}`.split('\n').map((l) => l.trim());
  const errors = lines.filter((l) => l.startsWith('E: ') || l.startsWith('Err:'));
  // Running as root with a private (0700) directory, apt cannot drop to its _apt sandbox user; harmless.
  const warnings = lines.filter((l) => l.startsWith('W: ') && !l.includes('unsandboxed as root'));
  return { errors, warnings };
}

/** One suite of one Debian mirror, with apt state of its own. */
export class PrivateAptSuite {
  readonly conf: string;
  constructor(
    readonly dir: string,
    readonly uri: string,
    readonly suite: string,
    readonly keyring = DEBIAN_ARCHIVE_KEYRING,
  ) {
    this.conf = join(dir, 'apt.conf');
  }

  get label(): string {
    return `${this.uri} ${this.suite}`;
  }

  /** Write the private configuration. `-c` is read after the system's apt.conf.d, so this wins. */
  async prepare(): Promise<void> {
    const d = this.dir;
    for (const sub of ['lists/partial', 'cache/archives/partial', 'etc/sources.list.d', 'etc/trusted.gpg.d', 'etc/preferences.d']) {
      await mkdir(join(d, sub), { recursive: true });
    }
    const q = (s: string): string => JSON.stringify(s);
    const conf = [
      '// Written by upshift: a private apt state for one Debian suite. The system apt setup is not used or changed.',
      // The machine's hooks (e.g. appstream refresh, docker-clean) must not run for our private updates.
      '#clear APT::Update::Post-Invoke-Success;',
      '#clear APT::Update::Post-Invoke;',
      '#clear APT::Update::Pre-Invoke;',
      '#clear DPkg::Post-Invoke;',
      '#clear DPkg::Pre-Invoke;',
      '#clear DPkg::Pre-Install-Pkgs;',
      `Dir::State ${q(d)};`,
      `Dir::State::Lists ${q(join(d, 'lists'))};`,
      'Dir::State::status "/dev/null";',
      `Dir::Cache ${q(join(d, 'cache'))};`,
      'Dir::Cache::pkgcache "pkgcache.bin";',
      // No source-package cache: only binary packages are read (saves ~50 MB per suite).
      'Dir::Cache::srcpkgcache "";',
      `Dir::Etc::sourcelist ${q(join(d, 'etc/sources.list'))};`,
      `Dir::Etc::sourceparts ${q(join(d, 'etc/sources.list.d'))};`,
      `Dir::Etc::trusted ${q(join(d, 'etc/trusted.gpg'))};`,
      `Dir::Etc::trustedparts ${q(join(d, 'etc/trusted.gpg.d'))};`,
      `Dir::Etc::preferences ${q(join(d, 'etc/preferences'))};`,
      `Dir::Etc::preferencesparts ${q(join(d, 'etc/preferences.d'))};`,
      'Acquire::Languages "none";',
      // gzip before xz: ~40% more bytes but far less CPU to unpack 65 MB indices on small machines.
      'Acquire::CompressionTypes::Order { "gz"; "xz"; };',
      // Only the Packages index is needed: no translations, Contents or DEP-11 metadata.
      'Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled "false";',
      'Acquire::IndexTargets::deb::DEP-11::DefaultEnabled "false";',
      'Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled "false";',
      'Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled "false";',
      `Acquire::http::Timeout "${APT_HTTP_TIMEOUT_S}";`,
      `Acquire::https::Timeout "${APT_HTTP_TIMEOUT_S}";`,
      // No hidden retries: a failed fetch is reported, the user decides.
      'Acquire::Retries "0";',
      '',
    ].join('\n');
    await writeFile(this.conf, conf);
    await writeFile(join(d, 'etc/sources.list'), `deb [signed-by=${this.keyring}] ${this.uri} ${this.suite} main\n`);
  }

  private lockPath(): string {
    return join(this.dir, '.upshift.lock');
  }

  /** When `update` last succeeded, or undefined. */
  async updatedAt(): Promise<Date | undefined> {
    const s = await stat(join(this.dir, 'updated-at')).catch(() => undefined);
    return s?.mtime;
  }

  /** `apt-get update` for this suite. Throws with apt's own error lines (signature, fetch) on failure. */
  async update(opts: AptRunOptions): Promise<{ warnings: string[] }> {
    const asked = Date.now();
    return withLock(this.lockPath(), opts.deadlineMs, async () => {
      // Another upshift process updated this suite while we waited for the lock: that is fresh enough.
      const at = await this.updatedAt();
      if (at && at.getTime() >= asked) return { warnings: [] };
      await this.prepare();
      const run = await runAptTool('apt-get', ['-c', this.conf, '-q', 'update'], opts);
      const { errors, warnings } = aptProblems(run);
      if (run.code !== 0 || errors.length) {
        const sig = /NO_PUBKEY|not signed|signature|EXPKEYSIG|KEYEXPIRED/i.test(errors.join('\n') + warnings.join('\n'));
        throw new EnvironmentError(
          sig ? 'apt-signature' : 'apt-update-failed',
          `apt-get update failed for ${this.label}: ${[...errors, ...warnings].join(' | ') || `exit ${run.code}`}`,
          {
            hint: sig ? `the suite's signature could not be verified with ${this.keyring}; update the debian-archive-keyring package` : 'check the network and the mirror',
            details: { suite: this.suite, uri: this.uri },
          },
        );
      }
      await writeFile(join(this.dir, 'updated-at'), new Date().toISOString() + '\n');
      return { warnings };
    }, { signal: opts.signal });
  }

  /** Versions of `pkg` in this suite's index (`apt-cache madison`). */
  async versions(pkg: string, opts: AptRunOptions): Promise<string[]> {
    const run = await runAptTool('apt-cache', ['-c', this.conf, 'madison', pkg], opts);
    if (run.code !== 0) throw aptFailed(`apt-cache madison ${pkg}`, this.label, run);
    return parseMadison(run.stdout, pkg);
  }

  /** The index record of `pkg=version` (`apt-cache show`): Filename, Size, SHA256, ... */
  async show(pkg: string, version: string, opts: AptRunOptions): Promise<Record<string, string>> {
    const run = await runAptTool('apt-cache', ['-c', this.conf, 'show', `${pkg}=${version}`], opts);
    if (run.code !== 0) throw aptFailed(`apt-cache show ${pkg}=${version}`, this.label, run);
    return parseControl(run.stdout);
  }

  /** `apt-get download PKG=VER...` into `cwd`; apt checks each file against the signed index. Returns the .deb paths. */
  async download(pkgs: { name: string; version: string }[], cwd: string, opts: AptRunOptions): Promise<Map<string, string>> {
    const run = await runAptTool('apt-get', ['-c', this.conf, '-q', 'download', ...pkgs.map((p) => `${p.name}=${p.version}`)], { ...opts, cwd });
    const { errors } = aptProblems(run);
    if (run.code !== 0 || errors.length) {
      const hashErr = /hash sum mismatch|hashes/i.test(errors.join('\n'));
      throw new UpshiftError(
        hashErr ? 'checksum-mismatch' : 'apt-download-failed',
        `apt-get download from ${this.label} failed: ${errors.join(' | ') || `exit ${run.code}`}`,
        hashErr ? ExitCode.problem : ExitCode.environment,
        { hint: hashErr ? 'the mirror served files that do not match its signed index; nothing was installed' : 'check the network and the mirror' },
      );
    }
    const out = new Map<string, string>();
    const names = await readdir(cwd);
    for (const p of pkgs) {
      const f = names.find((n) => n.startsWith(`${p.name}_`) && n.endsWith('.deb'));
      if (f) out.set(p.name, join(cwd, f));
    }
    return out;
  }
}

function aptFailed(what: string, label: string, run: AptRun): EnvironmentError {
  const { errors } = aptProblems(run);
  return new EnvironmentError('apt-failed', `${what} failed for ${label}: ${errors.join(' | ') || run.stderr.trim() || `exit ${run.code}`}`);
}

/** `etcd-server |   3.5.30-2 | http://deb.debian.org/debian sid/main amd64 Packages` -> versions of `pkg`. */
export function parseMadison(text: string, pkg: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const parts = line.split('|').map((s) => s.trim());
    if (parts.length >= 3 && parts[0] === pkg && parts[2]!.includes('Packages') && !out.includes(parts[1]!)) out.push(parts[1]!);
  }
  return out;
}

/** A Debian control paragraph (RFC822-like; first paragraph only). */
export function parseControl(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let last: string | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (Object.keys(out).length) break;
      continue;
    }
    if (/^\s/.test(line)) {
      if (last) out[last] += `\n${line.trim()}`;
      continue;
    }
    const c = line.indexOf(':');
    if (c > 0) {
      last = line.slice(0, c);
      out[last] = line.slice(c + 1).trim();
    }
  }
  return out;
}
