/**
 * One result model, many printers. Commands return plain data; a printer renders it.
 * JSON: exactly one document on stdout. Table: human text on stdout. Progress/logs: stderr only.
 */
import Table from 'cli-table3';
import pc from 'picocolors';
import { UsageError } from './errors.js';
import { sortBySeverity, type Finding, type Severity } from './finding.js';

export type OutputFormat = 'table' | 'json';

export function parseOutputFormat(v: string | undefined, allowed: readonly string[] = ['table', 'json']): string {
  const f = v ?? 'table';
  if (!allowed.includes(f)) {
    throw new UsageError(`-o/--output: unknown format "${f}"`, { hint: `use one of: ${allowed.join(', ')}` });
  }
  return f;
}

/** Deterministic JSON (2-space indent, trailing newline). Key order is the object's insertion order. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n';
}

/** Canonical JSON: object keys sorted recursively, so equal data gives byte-identical output. */
export function toCanonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object' && !(v instanceof Date)) {
      const o = v as Record<string, unknown>;
      return Object.fromEntries(Object.keys(o).sort().map((k) => [k, sort(o[k])]));
    }
    return v;
  };
  return toJson(sort(value));
}

export interface TableSpec {
  head: string[];
  rows: (string | number | boolean | null | undefined)[][];
}

/** A bordered table like `etcdctl -w table`. */
export function renderTable(spec: TableSpec): string {
  const t = new Table({
    head: spec.head,
    style: { head: [], border: [] },
    wordWrap: false,
  });
  for (const r of spec.rows) t.push(r.map((c) => (c === null || c === undefined ? '' : String(c))));
  // Keep the rule under the header and drop the ones between data rows (as etcdctl's tables): denser and
  // easier to scan. cli-table3 draws both with the same characters, so they are told apart by position.
  let rules = 0;
  const lines = t
    .toString()
    .split('\n')
    .filter((l) => !l.startsWith('├') || (spec.head.length > 0 && ++rules === 1));
  return lines.join('\n') + '\n';
}

/** Findings as a readable list: severity tag, code, message, and source on its own line. */
export function renderFindings(findings: readonly Finding[], color = useColor()): string {
  if (findings.length === 0) return '';
  const tag = (s: Severity): string => {
    const label = s.toUpperCase().padEnd(7);
    if (!color) return label;
    return s === 'blocker' ? pc.red(label) : s === 'warning' ? pc.yellow(label) : pc.cyan(label);
  };
  const sorted = sortBySeverity(findings);
  return (
    sorted
      .map((f) => `${tag(f.severity)} ${f.code}: ${f.message}${f.source ? `\n        source: ${f.source}` : ''}`)
      .join('\n') + '\n'
  );
}

/** Colour only for a TTY on stdout and when NO_COLOR is unset (picocolors also checks). */
export function useColor(): boolean {
  return Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && pc.isColorSupported;
}

/** Human byte sizes, 1024-based, like etcdctl's "25 kB" but binary and explicit. */
export function formatBytes(n: number | bigint | undefined): string {
  if (n === undefined) return '';
  let v = Number(n);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return `${m}m${String(s).padStart(2, '0')}s`;
}
