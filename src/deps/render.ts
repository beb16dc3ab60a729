/** Printers for the deps report: a grouped table for people, SARIF 2.1.0 for code-scanning UIs. */
import { renderFindings, renderTable } from '../core/output.js';
import type { DepsFinding, DepsReport } from './analyze.js';
import { RULES } from './rules.js';

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
    out.push('');
  }
  return out.join('\n') + '\n';
}

function loc(f: DepsFinding): string {
  if (!f.file) return '';
  return f.line ? `${f.file}:${f.line}${f.column ? `:${f.column}` : ''}` : f.file;
}

const LEVEL = { blocker: 'error', warning: 'warning', info: 'note' } as const;

/** SARIF 2.1.0 (OASIS sarif-v2.1.0, §3.13 sarifLog, §3.27 result, §3.28 location). */
export function renderDepsSarif(r: DepsResult, toolVersion: string): string {
  const findings = allReports(r).flatMap((m) => m.findings);
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
