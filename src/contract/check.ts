/**
 * `contract check BEFORE AFTER`: buf's breaking-change rules on the user's own protos. Inputs are what
 * buf reads (a directory = a module, a buf image .binpb/.json, a git or archive ref) plus single .proto
 * files, which are laid into a scratch module of their own (their imports other than the well-known
 * types must then be passed as a directory instead). The category defaults to WIRE_JSON: the minimum
 * buf's docs recommend, and what etcd-facing contracts need since etcd's gateway speaks JSON
 * (governance.md §2.1: at WIRE alone an int32 -> int64 change passes).
 */
import { copyFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { BREAKING_CATEGORIES, bufBreaking, bufVersion, requireBuf, type BreakingCategory, type BufFinding } from './buf.js';

export interface CheckResult {
  before: string;
  after: string;
  category: BreakingCategory;
  buf: { version: string };
  breaking: boolean;
  findings: BufFinding[];
  /** Rule id -> count. */
  rules: Record<string, number>;
}

const IMAGE = /\.(binpb|bin|json|txtpb|yaml)(\.gz|\.zst)?$/;
const REF = /#|^(https?|ssh|git):\/\/|\.git$|\.(tar|zip)(\.gz)?$/;

interface Prepared {
  /** What to pass to buf, relative to `cwd` for the input. */
  ref: string;
  cwd?: string;
  cleanup?: () => Promise<void>;
}

async function prepare(input: string, role: 'BEFORE' | 'AFTER'): Promise<Prepared> {
  if (REF.test(input) && !/^[./]/.test(input)) return { ref: input };
  let st;
  try {
    st = await stat(input);
  } catch {
    if (REF.test(input)) return { ref: input };
    throw new UsageError(`${role} ${input}: no such file or directory`, { hint: 'pass .proto files, directories of protos, buf images (buf build -o image.binpb) or git refs (.git#branch=main)' });
  }
  if (st.isDirectory()) return { ref: '.', cwd: resolve(input) };
  if (input.endsWith('.proto')) {
    const dir = await mkdtemp(join(tmpdir(), 'upshift-check-'));
    await copyFile(input, join(dir, basename(input)));
    return { ref: '.', cwd: dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
  }
  if (IMAGE.test(input)) return { ref: resolve(input) };
  throw new UsageError(`${role} ${input}: not a .proto file, a directory or a buf image`, { hint: 'buf images end in .binpb or .json (buf build -o FILE)' });
}

export function parseCategory(v: string | undefined): BreakingCategory {
  const c = (v ?? 'WIRE_JSON').toUpperCase().replace(/-/g, '_');
  if (!(BREAKING_CATEGORIES as readonly string[]).includes(c)) throw new UsageError(`--category ${v}: unknown`, { hint: `use one of ${BREAKING_CATEGORIES.join(', ')} (WIRE_JSON is the default: JSON and binary clients)` });
  return c as BreakingCategory;
}

export async function checkProtos(before: string, after: string, opts: { category?: string; excludePaths?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<CheckResult> {
  const category = parseCategory(opts.category);
  const bin = requireBuf(opts.env);
  const b = await prepare(before, 'BEFORE');
  const a = await prepare(after, 'AFTER');
  try {
    // buf runs inside the AFTER module (an inline config takes its module root from the working directory).
    const against = b.cwd ? b.cwd : b.ref;
    const findings = await bufBreaking(bin, { input: a.ref, against, category, cwd: a.cwd ?? process.cwd(), excludePaths: opts.excludePaths ?? [] });
    const rules: Record<string, number> = {};
    for (const f of findings) rules[f.rule] = (rules[f.rule] ?? 0) + 1;
    return { before, after, category, buf: { version: await bufVersion(bin) }, breaking: findings.length > 0, findings, rules };
  } finally {
    await b.cleanup?.();
    await a.cleanup?.();
  }
}

const LEVEL = 'error';

/** SARIF 2.1.0 for code scanning in CI: one result per buf finding, located in the AFTER input. */
export function checkSarif(r: CheckResult, toolVersion: string, root?: string): string {
  const ids = [...new Set(r.findings.map((f) => f.rule))].sort();
  const results = r.findings.map((f) => ({
    ruleId: f.rule,
    ruleIndex: ids.indexOf(f.rule),
    level: LEVEL,
    message: { text: f.message },
    locations: [{ physicalLocation: { artifactLocation: { uri: encodeURI(f.path ?? r.after), ...(f.path ? { uriBaseId: '%SRCROOT%' } : {}) }, region: { startLine: f.line ?? 1, startColumn: f.column ?? 1, ...(f.endLine ? { endLine: f.endLine, endColumn: f.endColumn ?? 1 } : {}) } } }],
    properties: { category: r.category },
  }));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'upshift contract check',
            semanticVersion: toolVersion,
            informationUri: 'https://buf.build/docs/breaking/rules',
            rules: ids.map((id) => ({ id, shortDescription: { text: `buf breaking rule ${id} (${r.category})` }, helpUri: 'https://buf.build/docs/breaking/rules', defaultConfiguration: { level: LEVEL } })),
          },
        },
        ...(root ? { originalUriBaseIds: { '%SRCROOT%': { uri: `file://${encodeURI(root.endsWith('/') ? root : root + '/')}` } } } : {}),
        columnKind: 'utf16CodeUnits',
        results,
        properties: { buf: r.buf.version, before: r.before, after: r.after },
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
