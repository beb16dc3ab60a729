/**
 * Benchmark: `upshift deps DIR -o json` as a whole process on a generated 500-module go.mod + go.sum
 * (+ Go files), against baselines measured in the same run: bare `node -e ''` startup and
 * `upshift --version` (the CLI's own startup, no analysis). Target: well under 1 s per run.
 *
 *   node --import tsx bench/deps-analyze.ts [--runs 7] [--modules 500] [--files 200]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const RUNS = arg('runs', 7);
const MODULES = arg('modules', 500);
const FILES = arg('files', 200);
const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin', 'upshift.js');

function h1(s: string): string {
  return 'h1:' + createHash('sha256').update(s).digest('base64');
}

function generate(dir: string): void {
  const req: string[] = [];
  const sum: string[] = [];
  for (let i = 0; i < MODULES; i++) {
    const path = `github.com/org${i % 37}/lib${i}`;
    const v = `v1.${i % 20}.${i % 7}`;
    req.push(`\t${path} ${v}${i % 3 === 0 ? ' // indirect' : ''}`);
    sum.push(`${path} ${v} ${h1(path + v)}`, `${path} ${v}/go.mod ${h1(path + v + 'mod')}`);
  }
  // The etcd part a real project of that size carries.
  req.push('\tgo.etcd.io/etcd v0.5.0-alpha.5.0.20200910180754-dd1b699fc489', '\tgoogle.golang.org/grpc v1.27.1', '\tgo.etcd.io/bbolt v1.3.5 // indirect');
  writeFileSync(join(dir, 'go.mod'), `module example.com/big\n\ngo 1.16\n\nrequire (\n${req.join('\n')}\n)\n\nreplace google.golang.org/grpc => google.golang.org/grpc v1.26.0\n`);
  writeFileSync(join(dir, 'go.sum'), sum.join('\n') + '\n');
  for (let f = 0; f < FILES; f++) {
    const d = join(dir, 'pkg', `p${f % 20}`);
    mkdirSync(d, { recursive: true });
    const imports = ['"context"', '"fmt"', `"github.com/org${f % 37}/lib${f}"`, f % 4 === 0 ? '"go.etcd.io/etcd/clientv3"' : '"strings"', f % 8 === 0 ? '"go.etcd.io/etcd/mvcc/mvccpb"' : '"sort"'];
    writeFileSync(join(d, `f${f}.go`), `package p${f % 20}\n\nimport (\n${imports.map((i) => '\t' + i).join('\n')}\n)\n\n${'func x() { _ = fmt.Sprint(context.Background()) }\n'.repeat(20)}`);
  }
}

function time(cmd: string[], env: NodeJS.ProcessEnv = process.env): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd[0], cmd.slice(1), { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

function stats(xs: number[]): { median: number; min: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
}

const dir = mkdtempSync(join(tmpdir(), 'upshift-bench-deps-'));
try {
  generate(dir);
  const cases: [string, string[]][] = [
    ["node -e ''", [process.execPath, '-e', '']],
    ['upshift --version', [process.execPath, bin, '--version']],
    [`upshift deps (${MODULES} modules, ${FILES} .go files) -o json`, [process.execPath, bin, 'deps', dir, '-o', 'json', '--fail-on', 'none']],
  ];
  // Warm the file cache (and tsx's transform cache) once.
  for (const [, cmd] of cases) time(cmd);
  const results = cases.map(([name, cmd]) => {
    const xs: number[] = [];
    for (let i = 0; i < RUNS; i++) xs.push(time(cmd));
    return { name, ...stats(xs) };
  });
  const base = results[0].median;
  const cliBase = results[1].median;
  console.log(`runs per case: ${RUNS}; machine load shared with other work, so read ratios, not absolutes`);
  for (const r of results) {
    console.log(`${r.name.padEnd(58)} median ${r.median.toFixed(0).padStart(5)} ms  (min ${r.min.toFixed(0)}, max ${r.max.toFixed(0)})  ${(r.median / base).toFixed(1)}x node startup`);
  }
  // The same analysis in-process (no startup), to separate analysis cost from Node/tsx startup and load.
  const { analyzeDir } = await import('../src/commands/deps.js');
  await analyzeDir({ dir, failOn: 'none' });
  const inproc: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    await analyzeDir({ dir, failOn: 'none' });
    inproc.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const ip = stats(inproc);
  console.log(`${'deps analysis in-process (discover + analyse)'.padEnd(58)} median ${ip.median.toFixed(0).padStart(5)} ms  (min ${ip.min.toFixed(0)}, max ${ip.max.toFixed(0)})  ${(ip.median / base).toFixed(2)}x node startup`);
  const analysis = results[2].median - cliBase;
  console.log(`analysis cost over CLI startup: ${analysis.toFixed(0)} ms; whole process ${results[2].median < 1000 ? 'under' : 'OVER'} the 1 s target (${(results[2].median / 1000).toFixed(2)} s)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
