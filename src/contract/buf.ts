/**
 * buf itself, for breaking-change rules: upshift does not re-implement them (governance.md §2.2: no
 * maintained JS port exists). The binary comes from npm `@bufbuild/buf`, whose platform package
 * (`@bufbuild/buf-linux-x64`, ...) ships it; UPSHIFT_BUF names another one. Output is buf's JSON lines
 * (`--error-format json`: {path, start_line, start_column, end_line, end_column, type, message}; `path`
 * is absent for file deletions).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { EnvironmentError, UsageError } from '../core/errors.js';

export const BREAKING_CATEGORIES = ['FILE', 'PACKAGE', 'WIRE_JSON', 'WIRE'] as const;
export type BreakingCategory = (typeof BREAKING_CATEGORIES)[number];

export interface BufFinding {
  rule: string;
  message: string;
  path?: string | undefined;
  line?: number | undefined;
  column?: number | undefined;
  endLine?: number | undefined;
  endColumn?: number | undefined;
}

const PLATFORM_PACKAGES: Record<string, string> = {
  'linux x64': '@bufbuild/buf-linux-x64',
  'linux arm64': '@bufbuild/buf-linux-aarch64',
  'linux arm': '@bufbuild/buf-linux-armv7',
  'darwin x64': '@bufbuild/buf-darwin-x64',
  'darwin arm64': '@bufbuild/buf-darwin-arm64',
  'win32 x64': '@bufbuild/buf-win32-x64',
  'win32 arm64': '@bufbuild/buf-win32-arm64',
};

/** @bufbuild/buf's own launcher (a Node script that finds the platform binary), run with this Node. */
const SHIM = '@bufbuild/buf/bin/buf';

/**
 * The buf binary: UPSHIFT_BUF, else the platform package's binary (no Node launcher in between), else
 * @bufbuild/buf's launcher, else undefined.
 */
export function findBuf(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.UPSHIFT_BUF) return env.UPSHIFT_BUF;
  const require = createRequire(import.meta.url);
  const pkg = PLATFORM_PACKAGES[`${process.platform} ${process.arch}`];
  for (const spec of [pkg ? `${pkg}/bin/buf${process.platform === 'win32' ? '.exe' : ''}` : undefined, SHIM]) {
    if (!spec) continue;
    try {
      const bin = require.resolve(spec);
      if (existsSync(bin)) return bin;
    } catch {
      /* not installed: try the next */
    }
  }
  return undefined;
}

export function requireBuf(env: NodeJS.ProcessEnv = process.env): string {
  const bin = findBuf(env);
  if (!bin) {
    throw new EnvironmentError('buf-missing', `buf is not available for ${process.platform}/${process.arch}`, {
      hint: 'npm installs it with upshift (@bufbuild/buf and its platform package); or set UPSHIFT_BUF to a buf binary',
    });
  }
  return bin;
}

function run(bin: string, args: string[], cwd: string, timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const viaNode = bin.replace(/\\/g, '/').endsWith(SHIM);
    execFile(viaNode ? process.execPath : bin, viaNode ? [bin, ...args] : args, { cwd, timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err && typeof (err as NodeJS.ErrnoException).code === 'string') return reject(err);
      if (err && (err as { killed?: boolean }).killed) return reject(new EnvironmentError('buf-timeout', `buf did not finish within ${Math.round(timeoutMs / 1000)} s`));
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

export async function bufVersion(bin: string): Promise<string> {
  const r = await run(bin, ['--version'], process.cwd(), 30_000);
  return (r.stdout || r.stderr).trim();
}

export function parseBufJson(text: string): BufFinding[] {
  const out: BufFinding[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    const j = JSON.parse(t) as { path?: string; start_line?: number; start_column?: number; end_line?: number; end_column?: number; type: string; message: string };
    out.push({ rule: j.type, message: j.message, path: j.path, line: j.start_line, column: j.start_column, endLine: j.end_line, endColumn: j.end_column });
  }
  return out;
}

export interface BreakingRun {
  input: string;
  against: string;
  category: BreakingCategory;
  /** Directory buf runs in (for module inputs, the input itself). */
  cwd?: string;
  excludePaths?: string[];
  timeoutMs?: number;
}

/**
 * `buf breaking INPUT --against AGAINST` with the category given as inline config (v2), JSON errors.
 * Exit 100 means findings (buf's FileAnnotation exit code); other failures are reported with buf's words.
 */
export async function bufBreaking(bin: string, r: BreakingRun): Promise<BufFinding[]> {
  const config = JSON.stringify({ version: 'v2', breaking: { use: [r.category] } });
  const args = ['breaking', r.input, '--against', r.against, '--error-format', 'json', '--config', config, '--against-config', config];
  for (const p of r.excludePaths ?? []) args.push('--exclude-path', p);
  const res = await run(bin, args, r.cwd ?? process.cwd(), r.timeoutMs ?? 120_000);
  if (res.code === 0) return [];
  const findings = parseBufJson(res.stdout);
  if (res.code === 100 && findings.length) return findings;
  const msg = (res.stderr || res.stdout).trim().split('\n').slice(0, 6).join('\n');
  throw new UsageError(`buf could not compare ${r.input} with ${r.against}: ${msg}`, { code: 'buf-failed', hint: 'inputs are .proto files or directories (with imports resolvable inside them), buf images (.binpb/.json) or git/module refs buf understands' });
}
