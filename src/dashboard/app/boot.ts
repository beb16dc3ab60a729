/**
 * What the page was started with: the live dashboard (served by `upshift serve`, with the CSRF token for
 * its actions) or a frozen report (`report.html`, the run view embedded, no server at all).
 */
import type { RunView } from '../../runview/model.js';

/** A run page of the live dashboard comes with the run's view and the cursor its event stream continues from. */
export type Boot = { mode: 'live'; csrf: string; run?: { view: RunView; cursor: string } } | { mode: 'report'; view: RunView; generatedAt: string };

export function readBoot(): Boot {
  const el = document.getElementById('upshift-boot');
  if (!el?.textContent) throw new Error('no #upshift-boot element');
  return JSON.parse(el.textContent) as Boot;
}
