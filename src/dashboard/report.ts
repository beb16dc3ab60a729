/**
 * `report.html`: the run page frozen into one self-contained file beside the journal — the dashboard's
 * own bundle and stylesheet inlined, the run view embedded as JSON, and a Content-Security-Policy that
 * forbids every request, so it opens offline and shows the same charts as the live page.
 * Written crash-safely (core/files.ts). Every run kind calls `writeRunReport(runDir)` when it ends.
 */
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../core/files.js';
import { ProblemError, errorMessage } from '../core/errors.js';
import { loadRunView } from '../runview/files.js';
import type { RunView } from '../runview/model.js';
import { appBundle } from './bundle.js';

export const REPORT_FILE = 'report.html';

/** JSON that is safe inside a <script> element. */
export function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The report's HTML for a view. */
export async function renderRunReport(view: RunView, generatedAt = new Date()): Promise<string> {
  const b = await appBundle();
  const boot = { mode: 'report', view, generatedAt: generatedAt.toISOString() };
  // Inline script and style only; nothing may be fetched (no network, no other file).
  const csp = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<title>${esc(`upshift ${view.kind} ${view.path.join(' -> ')} (${view.runId})`)}</title>
<style>${b.css.body.toString('utf8')}</style>
</head><body>
<div id="app"></div>
<script id="upshift-boot" type="application/json">${scriptJson(boot)}</script>
<script>${b.js.body.toString('utf8').replace(/<\/script/gi, '<\\/script')}</script>
</body></html>
`;
}

/**
 * Write `report.html` for the run in `runDir` (or to `file`), from its journal and canary histories.
 * Returns the path written. Throws when the directory holds no run.
 */
export async function writeRunReport(runDir: string, opts: { file?: string } = {}): Promise<string> {
  const view = await loadRunView(runDir);
  if (!view) throw new ProblemError('no-run', `${runDir} holds no run journal (journal.jsonl with a run-begin record)`);
  return writeViewReport(view, opts.file ?? join(runDir, REPORT_FILE));
}

/** Write the report of a view already loaded to `file` (crash-safely); returns `file`. */
export async function writeViewReport(view: RunView, file: string): Promise<string> {
  await writeFileAtomic(file, await renderRunReport(view), { mode: 0o644 });
  return file;
}

/**
 * For a command's result that names its journal (upgrade, resume, downgrade, rehearse): write report.html
 * beside it and name it in the result (`reportHtml`). A report that cannot be written is noted, never a
 * reason to fail the run.
 */
export async function withRunReport<T extends { journal: string }>(result: T, note: (line: string) => void): Promise<T & { reportHtml?: string }> {
  try {
    return { ...result, reportHtml: await writeRunReport(dirname(result.journal)) };
  } catch (e) {
    note(`upshift: could not write report.html beside ${result.journal}: ${errorMessage(e)} (\`upshift report\` regenerates it)`);
    return result;
  }
}
