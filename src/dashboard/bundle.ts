/**
 * The dashboard's front end (src/dashboard/app: Preact components in TSX, uPlot charts) bundled with esbuild
 * in memory, once per process, the first time a page or a report needs it.
 *
 * Why at run time rather than a build step: upshift runs from its TypeScript sources after `npm ci` (bin/
 * upshift.js through tsx), and esbuild is already what tsx compiles with, so bundling when needed has no step
 * to forget and never serves a stale bundle after an edit. It costs ~0.2-0.4 s of CPU once per process
 * (measured in test/dashboard.test.ts' log); `serve` pays it at start, a run when it writes its report.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface Asset {
  body: Buffer;
  gzip: Buffer;
  type: string;
}

export interface Bundle {
  js: Asset;
  css: Asset;
  /** Content hash of both, for cache-busting URLs. */
  hash: string;
  buildMs: number;
}

const HERE = dirname(fileURLToPath(import.meta.url));
/** The app's sources: beside this file in a checkout; from dist/dashboard, the package's src/dashboard/app. */
const APP_DIR = [join(HERE, 'app'), join(HERE, '..', '..', 'src', 'dashboard', 'app')].find((d) => existsSync(join(d, 'main.tsx'))) ?? join(HERE, 'app');

let pending: Promise<Bundle> | undefined;

/** The bundle (built on first use, then shared). */
export function appBundle(): Promise<Bundle> {
  return (pending ??= build().catch((e: unknown) => {
    pending = undefined;
    throw e;
  }));
}

async function build(): Promise<Bundle> {
  const t0 = performance.now();
  const esbuild = await import('esbuild');
  const r = await esbuild.build({
    entryPoints: [join(APP_DIR, 'main.tsx')],
    bundle: true,
    write: false,
    outdir: 'out',
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    minify: true,
    legalComments: 'none',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: join(APP_DIR, 'tsconfig.json'),
    logLevel: 'silent',
  });
  const js = r.outputFiles.find((f) => f.path.endsWith('.js'));
  const css = r.outputFiles.find((f) => f.path.endsWith('.css'));
  if (!js || !css) throw new Error('dashboard bundle: esbuild produced no script or no stylesheet');
  const asset = (text: Uint8Array, type: string): Asset => {
    const body = Buffer.from(text);
    return { body, gzip: gzipSync(body, { level: 9 }), type };
  };
  const hash = createHash('sha256').update(js.contents).update(css.contents).digest('hex').slice(0, 12);
  return { js: asset(js.contents, 'text/javascript; charset=utf-8'), css: asset(css.contents, 'text/css; charset=utf-8'), hash, buildMs: Math.round(performance.now() - t0) };
}
