/** Printers for the deps report: a grouped table for people, SARIF 2.1.0 for code-scanning UIs. */
import { formatDuration, renderFindings, renderTable } from '../core/output.js';
import type { DepsFinding, DepsReport } from './analyze.js';
import { RULES } from './rules.js';
import type { VerifyResult } from './verify-report.js';

export interface DepsResult extends DepsReport {
  /** Absolute directory analysed (SARIF uses it as %SRCROOT%). */
  root?: string;
}

function allReports(r: DepsReport): DepsReport[] {
  return [r, ...(r.nested ?? []).flatMap(allReports)];
}

export function renderDepsTable(r: DepsResult): string {
  const out: string[] = [];
  for (const m of allReports(r)) {
    if (m === r && !m.module && m.summary.filesScanned === 0 && m.etcd.length === 0 && m.nested?.length) {
      out.push(`No go.mod at the top of ${r.root ?? 'the directory'}; ${m.nested.length} module(s) below.\n`);
      continue;
    }
    out.push(`Module ${m.module || '(no module line)'}${m.dir ? `  (${m.dir}/)` : ''}${m.go ? `  go ${m.go}` : ''}  → target etcd ${m.target}`);
    if (m.etcd.length) {
      out.push(
        renderTable({
          head: ['etcd module', 'required', 'selected', 'direct', 'etcd release', 'replaced by'],
          rows: m.etcd.map((e) => [
            e.path,
            e.version,
            e.selected && e.selected !== e.version ? e.selected : '',
            e.direct ? 'yes' : 'indirect',
            e.release ? `${e.release.release}${e.release.ahead > 0 ? ` +${e.release.ahead}` : ''}${e.release.via === 'timestamp-estimate' ? ' (est.)' : ''}` : '',
            e.replacedBy ?? '',
          ]),
        }).trimEnd(),
      );
      for (const e of m.etcd) if (e.requiredBy && e.requiredBy.length > 2) out.push(`  ${e.path} required via: ${e.requiredBy.join(' -> ')}`);
    } else out.push('  no etcd modules required');
    if (m.grpc.version || m.grpc.replacedBy) out.push(`grpc: ${m.grpc.version ?? '(not required directly)'}${m.grpc.selected && m.grpc.selected !== m.grpc.version ? ` (selected ${m.grpc.selected})` : ''}${m.grpc.replacedBy ? ` => ${m.grpc.replacedBy}` : ''}`);
    const moves = m.imports.filter((i) => i.newPath || i.kind !== 'unchanged');
    if (moves.length) {
      const files = new Set(moves.map((i) => i.file)).size;
      out.push(`\nImports to migrate: ${moves.length} in ${files} file${files === 1 ? '' : 's'}`);
      out.push(
        renderTable({
          head: ['location', 'import', 'on ' + m.target],
          rows: moves.map((i) => [`${i.file}:${i.line}:${i.column}`, (i.name ? `${i.name} ` : '') + i.path, i.newPath ?? `(${i.kind})`]),
        }).trimEnd(),
      );
    }
    if (m.findings.length) {
      out.push(`\nFindings: ${m.summary.blockers} blocker, ${m.summary.warnings} warning, ${m.summary.infos} info`);
      out.push(renderFindings(m.findings.map((f) => ({ ...f, source: loc(f) + (f.source ? (loc(f) ? ' · ' : '') + f.source : '') || undefined }))).trimEnd());
    }
    if (m.advisories.length) {
      out.push('\nAdvisories');
      out.push(
        renderTable({
          head: ['id', 'module', 'version', 'fixed in', 'affected', 'govulncheck'],
          rows: m.advisories.map((a) => [a.id, a.module, a.version, a.fixedIn ?? 'no fix', a.affected ? 'yes' : 'no', a.reportedByVulnDb ? 'reports it' : 'MISSES it']),
        }).trimEnd(),
      );
    }
    if (m.commands.length) {
      out.push('\nNext steps');
      for (const c of m.commands) out.push(`  $ ${c}`);
    }
    if (m.verify) out.push(renderVerify(m.verify));
    out.push('');
  }
  return out.join('\n') + '\n';
}

/** The --verify section: verdict, steps, what the build selects, and each error with its known cause. */
export function renderVerify(v: VerifyResult): string {
  const out: string[] = [];
  if (!v.ran) {
    out.push(`\nVerify: NOT RUN — ${v.reason ?? 'the plan could not be verified'}`);
    return out.join('\n');
  }
  const verdict = verifyOk(v) ? `the plan works: builds, vets clean, every etcd module on ${v.target}` : v.built ? (v.onTarget ? 'builds, but not clean' : 'builds, but does NOT reach the target') : 'the plan does NOT build';
  out.push(`\nVerify (${v.go ?? 'go'}, ${formatDuration(v.durationMs)}): ${verdict}`);
  for (const s of v.steps) out.push(`  ${s.ok ? '✓' : '✗'} ${s.command}${s.round > 1 ? '  (round 2)' : ''}  ${formatDuration(s.durationMs)}`);
  if (v.selected.length) {
    out.push(
      renderTable({
        head: ['selected after the plan', 'version', 'replaced by', 'on target'],
        rows: v.selected.map((s) => [s.path, s.version, s.replacedBy ?? '', s.onTarget ? 'yes' : `NO: ${s.note ?? ''}`]),
      }).trimEnd(),
    );
  }
  for (const p of v.problems) out.push(`  problem: ${p}`);
  if (v.errors.length) {
    out.push(`  errors (${v.errors.length}):`);
    for (const e of v.errors) {
      out.push(`    ${e.file}${e.line ? `:${e.line}${e.column ? `:${e.column}` : ''}` : ''}: ${e.message}${e.step === 'vet' ? '  (vet)' : ''}`);
      if (e.cause) out.push(`      cause: ${e.cause}`, `      fix:   ${e.fix ?? ''}`, ...(e.source ? [`      source: ${e.source}`] : []));
    }
  }
  return out.join('\n');
}

const verifyOk = (v: VerifyResult): boolean => v.ran && v.built && v.vetted && v.onTarget && v.problems.length === 0;

function loc(f: DepsFinding): string {
  if (!f.file) return '';
  return f.line ? `${f.file}:${f.line}${f.column ? `:${f.column}` : ''}` : f.file;
}

const LEVEL = { blocker: 'error', warning: 'warning', info: 'note' } as const;

/** --verify results as findings (SARIF results): each build/vet error at its file and line, each problem on go.mod. */
export function verifyFindings(v: VerifyResult, dir: string): DepsFinding[] {
  const goMod = dir ? `${dir}/go.mod` : 'go.mod';
  if (!v.ran) return [{ severity: 'warning', code: 'verify-not-run', message: v.reason ?? 'the plan could not be verified', file: goMod }];
  const out: DepsFinding[] = v.errors.map((e) => ({
    severity: 'blocker',
    code: e.step === 'vet' ? 'verify-vet-error' : e.step === 'build' ? 'verify-build-error' : 'verify-step-error',
    message: `${e.module ? `${e.module}: ` : ''}${e.message}${e.cause ? ` — cause: ${e.cause}` : ''}`,
    ...(e.fix ? { fix: e.fix } : {}),
    ...(e.source ? { source: e.source } : {}),
    file: e.module ? goMod : e.file,
    ...(e.line && !e.module ? { line: e.line } : {}),
    ...(e.column && !e.module ? { column: e.column } : {}),
  }));
  for (const p of v.problems) if (p.startsWith('not on the target: ')) out.push({ severity: 'blocker', code: 'verify-not-on-target', message: p.slice('not on the target: '.length), file: goMod });
  return out;
}

/** SARIF 2.1.0 (OASIS sarif-v2.1.0, §3.13 sarifLog, §3.27 result, §3.28 location). */
export function renderDepsSarif(r: DepsResult, toolVersion: string): string {
  const findings = allReports(r).flatMap((m) => [...m.findings, ...(m.verify ? verifyFindings(m.verify, m.dir) : [])]);
  const codes = [...new Set([...Object.keys(RULES), ...findings.map((f) => f.code)])];
  const rules = codes.map((id) => ({
    id,
    name: id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
    shortDescription: { text: RULES[id]?.title ?? id },
    defaultConfiguration: { level: LEVEL[RULES[id]?.severity ?? 'warning'] },
    helpUri: 'https://github.com/etcd-io/etcd/blob/main/Documentation/contributor-guide/modules.md',
  }));
  const results = findings.map((f) => ({
    ruleId: f.code,
    ruleIndex: codes.indexOf(f.code),
    level: LEVEL[f.severity],
    message: { text: f.fix ? `${f.message}. Fix: ${f.fix}` : f.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: encodeURI(f.file ?? 'go.mod'), uriBaseId: '%SRCROOT%' },
          region: { startLine: f.line ?? 1, startColumn: f.column ?? 1 },
        },
      },
    ],
    ...(f.source ? { properties: { source: f.source } } : {}),
  }));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'upshift', semanticVersion: toolVersion, informationUri: 'https://github.com/etcd-io/etcd', rules } },
        ...(r.root ? { originalUriBaseIds: { '%SRCROOT%': { uri: `file://${encodeURI(r.root.endsWith('/') ? r.root : r.root + '/')}` } } } : {}),
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
