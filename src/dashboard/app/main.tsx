/**
 * The dashboard's entry: picks the page from the URL (live, served by `upshift serve`) or renders the
 * embedded run (report.html). Pages are plain components under pages/; links are ordinary links.
 */
import { render } from 'preact';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { readBoot, type Boot } from './boot.js';
import { setCsrf } from './api.js';
import { LiveRunPage, RunBody } from './pages/RunPage.js';
import { RunsPage } from './pages/RunsPage.js';
import { ClustersPage } from './pages/ClustersPage.js';
import { BackupsPage } from './pages/BackupsPage.js';
import { TopologyPage } from './pages/TopologyPage.js';

const NAV = [
  { href: '/', label: 'Runs' },
  { href: '/clusters', label: 'Clusters' },
  { href: '/backups', label: 'Backups' },
  { href: '/topology', label: 'Topology' },
];

function page(path: string, initial: Extract<Boot, { mode: 'live' }>['run']) {
  const run = /^\/runs\/([^/]+)$/.exec(path);
  if (run) return <LiveRunPage runId={decodeURIComponent(run[1]!)} initial={initial} />;
  if (path === '/clusters') return <ClustersPage />;
  if (path === '/backups') return <BackupsPage />;
  if (path === '/topology') return <TopologyPage />;
  return <RunsPage />;
}

function Live({ path, initial }: { path: string; initial: Extract<Boot, { mode: 'live' }>['run'] }) {
  return (
    <>
      <nav>
        <strong>upshift</strong>
        {NAV.map((n) => (
          <a key={n.href} href={n.href} class={path === n.href || (n.href === '/' && path.startsWith('/runs/')) ? 'active' : ''}>
            {n.label}
          </a>
        ))}
      </nav>
      <main>{page(path, initial)}</main>
    </>
  );
}

function start(): void {
  const boot = readBoot();
  const root = document.getElementById('app')!;
  if (boot.mode === 'report') {
    render(
      <main>
        <RunBody view={boot.view} live={false} />
        <p class="muted small">Report generated {new Date(boot.generatedAt).toLocaleString()} by upshift from the run's journal and canary histories.</p>
      </main>,
      root,
    );
    performance.mark('upshift-run-rendered');
  } else {
    setCsrf(boot.csrf);
    render(<Live path={location.pathname} initial={boot.run} />, root);
  }
  document.body.dataset.rendered = 'true';
}

start();
