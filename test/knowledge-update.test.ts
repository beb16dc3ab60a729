/**
 * `upshift knowledge update` end to end: against a local fake GOPROXY (crafted lists with omitted versions,
 * a gap no module has, a version only one module serves), a fake GitHub releases API, a file:// proxy,
 * GOPROXY fall-through, the go command; offline behaviour; what plan/show do with the learned data; and
 * one run against the real module proxy (skipped only when it cannot be reached).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, mkdir, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import { runCliInProcess } from './support/cli.js';
import type { RefreshReport } from '../src/knowledge/refresh.js';
import type { KnowledgeShowResult } from '../src/commands/knowledge-show.js';
import type { Plan } from '../src/plan/types.js';

const SERVER = 'go.etcd.io/etcd/server/v3';
const API = 'go.etcd.io/etcd/api/v3';
const ETCDUTL = 'go.etcd.io/etcd/etcdutl/v3';

/** What the fake proxy serves: per module, the @v/list lines and the versions it has .info for. */
interface FakeModules {
  [module: string]: { list?: string[]; listStatus?: number; info: Record<string, string> };
}

function startFakeProxy(state: { modules: FakeModules; requests: string[] }): Promise<Server> {
  const server = createServer((req, res) => {
    const url = decodeURIComponent(req.url ?? '');
    state.requests.push(url);
    const m = /^\/(.+)\/@v\/(list|v(.+)\.(info|mod))$/.exec(url);
    const mod = m ? state.modules[m[1]!] : undefined;
    if (m && mod && m[2] === 'list') {
      if (mod.listStatus) return void res.writeHead(mod.listStatus).end('gone');
      return void res.writeHead(200, { 'content-type': 'text/plain' }).end((mod.list ?? []).join('\n') + '\n');
    }
    if (m && mod && m[3] && mod.info[m[3]]) {
      if (m[4] === 'mod') return void res.writeHead(200).end(`module ${m[1]}\n\ngo 1.25\n`);
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ Version: `v${m[3]}`, Time: mod.info[m[3]] }));
    }
    // A mirror's "not available" (the proxy on our machines answers 403), or a plain 404.
    res.writeHead(url.includes('etcdutl') ? 403 : 404).end('This module version is not available.');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function startFakeGithub(pages: unknown[][]): Promise<Server> {
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname !== '/repos/etcd-io/etcd/releases') return void res.writeHead(404).end('{}');
    const page = Number(u.searchParams.get('page') ?? '1');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(pages[page - 1] ?? []));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const urlOf = (s: Server): string => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

/** An environment without proxies (the fakes are local) and with a private UPSHIFT_HOME. */
function envFor(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, UPSHIFT_HOME: home, ...extra };
  for (const k of ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY']) delete env[k];
  return env;
}

describe('knowledge update against a fake GOPROXY', () => {
  const state: { modules: FakeModules; requests: string[] } = { modules: {}, requests: [] };
  let proxy: Server;
  let home: string;
  before(async () => {
    proxy = await startFakeProxy(state);
    home = await mkdtemp(join(tmpdir(), 'upshift-kn-'));
  });
  after(async () => {
    proxy.close();
    await rm(home, { recursive: true, force: true });
  });

  test('learns listed, unlisted (one module only) and newer-than-listed releases, with their source and date', async () => {
    state.modules = {
      [SERVER]: {
        // 3.6.18 is omitted from every list (only api/v3 has its .info); 3.6.20 and 3.7.5 are listed nowhere.
        list: ['v3.5.36', 'v3.6.17', 'v3.6.19', 'v3.7.4', 'v3.8.0-alpha.0', 'v3.6.0-alpha.0.0.20251230120505-aef0361938cb'],
        info: { '3.6.19': '2026-12-18T20:00:00Z', '3.7.5': '2026-12-18T21:00:00Z', '3.8.0-alpha.0': '2026-06-05T09:22:42Z' },
      },
      [API]: { list: ['v3.6.17'], info: { '3.6.18': '2026-12-16T20:00:00Z' } },
      [ETCDUTL]: { listStatus: 410, info: { '3.6.20': '2026-12-19T20:00:00Z' } },
    };
    state.requests = [];
    const r = await runCliInProcess(['knowledge', 'update', '--sources', 'proxy', '--goproxy', urlOf(proxy), '-o', 'json'], envFor(home));
    assert.equal(r.code, 0, r.stderr);
    const rep = JSON.parse(r.stdout) as RefreshReport;
    assert.deepEqual(rep.sources.map((s) => [s.kind, s.ok]), [['proxy', true]]);
    assert.deepEqual(rep.learned.map((l) => [l.version, l.date]), [
      ['3.6.18', '2026-12-16T20:00:00Z'],
      ['3.6.19', '2026-12-18T20:00:00Z'],
      ['3.6.20', '2026-12-19T20:00:00Z'],
      ['3.7.5', '2026-12-18T21:00:00Z'],
    ]);
    assert.equal(rep.learned[0]!.source, `proxy:${urlOf(proxy)} ${API}@v3.6.18`);
    assert.equal(rep.learned[2]!.source, `proxy:${urlOf(proxy)} ${ETCDUTL}@v3.6.20`);
    assert.ok(state.requests.length < 60, `bounded requests (${state.requests.length})`);
    assert.ok(!state.requests.some((u) => u.includes('@v/v3.6.17.info')), 'what the shipped data lists is not asked again');
    const stored = JSON.parse(await readFile(join(home, 'knowledge', 'learned.json'), 'utf8'));
    assert.deepEqual(stored.preReleases.map((p: { version: string }) => p.version), ['3.8.0-alpha.0']);
    assert.match(r.stderr, /asking the Go module proxy/);
  });

  test('plan and status-facing lookups use what was learned, and say how current the data is', async () => {
    const r = await runCliInProcess(['plan', '--from', '3.6.5', '--to', '3.7', '-o', 'json'], envFor(home));
    assert.equal(r.code, 0, r.stderr);
    const p = JSON.parse(r.stdout) as Plan;
    assert.deepEqual(p.path, ['3.6.5', '3.6.20', '3.7.5'], 'latest learned patches, through the 3.6.11 floor');
    assert.ok(p.findings.some((f) => f.code === 'knowledge-stale' && f.severity === 'warning'));
    assert.equal(p.knowledge.newestRelease, '3.6.20');
    assert.equal(p.knowledge.learned?.releases, 4);
    const t = await runCliInProcess(['plan', '--from', '3.6.5', '--to', '3.7.5'], envFor(home));
    assert.match(t.stdout, /knowledge: etcd releases to 3\.6\.20 \(2026-12-19\), list checked \d{4}-\d\d-\d\d, updated by `upshift knowledge update` .* \(4 releases newer than the shipped data\); release notes and advisories to 2026-08-20/);
    const show = await runCliInProcess(['knowledge', 'show', '-o', 'json'], envFor(home));
    assert.equal(show.code, 0, show.stderr);
    const s = JSON.parse(show.stdout) as KnowledgeShowResult;
    const l36 = s.lines.find((l) => l.minor === '3.6')!;
    assert.equal(l36.latest, '3.6.20');
    assert.equal(l36.shippedLatest, '3.6.17');
    assert.deepEqual(l36.learned.map((x) => x.version), ['3.6.18', '3.6.19', '3.6.20']);
    assert.ok(s.learned?.checks.some((c) => c.kind === 'proxy' && c.ok));
    const table = await runCliInProcess(['knowledge', 'show'], envFor(home));
    assert.match(table.stdout, /3\.6\.20 released 2026-12-19: proxy:http:\/\/127\.0\.0\.1:\d+ go\.etcd\.io\/etcd\/etcdutl\/v3@v3\.6\.20/);
  });

  test('a gap no module has is recorded as never released; later refreshes keep earlier facts', async () => {
    state.modules[SERVER]!.list!.push('v3.7.7');
    state.modules[SERVER]!.info['3.7.7'] = '2026-12-30T20:00:00Z';
    const r = await runCliInProcess(['knowledge', 'update', '--sources', 'proxy', '--goproxy', urlOf(proxy), '-o', 'json'], envFor(home));
    assert.equal(r.code, 0, r.stderr);
    const rep = JSON.parse(r.stdout) as RefreshReport;
    assert.deepEqual(rep.learned.map((l) => l.version), ['3.7.7']);
    assert.deepEqual(rep.allLearned.map((l) => l.version), ['3.6.18', '3.6.19', '3.6.20', '3.7.5', '3.7.7']);
    const refused = await runCliInProcess(['plan', '--from', '3.7.4', '--to', '3.7.6'], envFor(home));
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /3\.7\.6 was never released \(proxy .* did not have it on .*, and 3\.7\.7 exists\)/);
    const newer = await runCliInProcess(['plan', '--from', '3.7.4', '--to', '3.7.9', '-o', 'json'], envFor(home));
    assert.equal(newer.code, 0, newer.stderr);
  });

  test('offline: nothing is changed, exit 3, and it says how old the knowledge is', async () => {
    const before = await readFile(join(home, 'knowledge', 'learned.json'), 'utf8');
    const r = await runCliInProcess(['knowledge', 'update', '--sources', 'proxy', '--goproxy', 'http://127.0.0.1:1', '--timeout', '3s', '-o', 'json'], envFor(home));
    assert.equal(r.code, 3);
    assert.match(r.stderr, /no source answered; kept the knowledge as it was \(release list checked \d{4}-\d\d-\d\d, \d+ days? ago\)/);
    const rep = JSON.parse(r.stdout) as RefreshReport;
    assert.equal(rep.sources[0]!.ok, false);
    assert.match(rep.sources[0]!.error ?? '', /127\.0\.0\.1:1/);
    assert.equal(await readFile(join(home, 'knowledge', 'learned.json'), 'utf8'), before);
  });

  test("GOPROXY separators: '|' falls through on an error, ',' does not", async () => {
    const h = await mkdtemp(join(tmpdir(), 'upshift-kn-sep-'));
    try {
      const pipe = await runCliInProcess(['knowledge', 'update', '--sources', 'proxy', '--goproxy', `http://127.0.0.1:1|${urlOf(proxy)}`, '--timeout', '3s', '-o', 'json'], envFor(h));
      assert.equal(pipe.code, 0, pipe.stderr);
      assert.ok((JSON.parse(pipe.stdout) as RefreshReport).learned.length > 0);
      const comma = await runCliInProcess(['knowledge', 'update', '--sources', 'proxy', '--goproxy', `http://127.0.0.1:1,${urlOf(proxy)}`, '--timeout', '3s', '-o', 'json'], envFor(h));
      assert.equal(comma.code, 3);
      const off = await runCliInProcess(['knowledge', 'update', '--sources', 'proxy', '--goproxy', 'off', '-o', 'json'], envFor(h));
      assert.equal(off.code, 3);
      assert.match((JSON.parse(off.stdout) as RefreshReport).sources[0]!.error ?? '', /GOPROXY=off/);
    } finally {
      await rm(h, { recursive: true, force: true });
    }
  });

  test('a file:// module mirror (air-gapped sites) works without Go or a network', async () => {
    const h = await mkdtemp(join(tmpdir(), 'upshift-kn-file-'));
    try {
      const mirror = join(h, 'mirror');
      await mkdir(join(mirror, SERVER, '@v'), { recursive: true });
      await writeFile(join(mirror, SERVER, '@v', 'list'), 'v3.6.17\nv3.6.18\n');
      await writeFile(join(mirror, SERVER, '@v', 'v3.6.18.info'), '{"Version":"v3.6.18","Time":"2026-12-16T20:00:00Z"}');
      const r = await runCliInProcess(['knowledge', 'update', '--sources', 'proxy', '--goproxy', pathToFileURL(mirror).href, '-o', 'json'], envFor(join(h, 'home'), { PATH: '/nonexistent' }));
      assert.equal(r.code, 0, r.stderr);
      const rep = JSON.parse(r.stdout) as RefreshReport;
      assert.deepEqual(rep.learned.map((l) => l.version), ['3.6.18']);
      assert.match(rep.sources[0]!.notes.join(' '), /no go command on PATH|--goproxy/);
    } finally {
      await rm(h, { recursive: true, force: true });
    }
  });

  test('through the go command (--go-command), when Go is installed', async (t) => {
    let go = '';
    try {
      go = execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim();
    } catch {
      return t.skip('no go command on PATH');
    }
    assert.ok(go);
    const h = await mkdtemp(join(tmpdir(), 'upshift-kn-go-'));
    try {
      // A private module cache, no checksum database for the fake modules, no toolchain download.
      const env = envFor(join(h, 'home'), { GOMODCACHE: join(h, 'modcache'), GOFLAGS: '-modcacherw', GONOSUMDB: 'go.etcd.io', GOTOOLCHAIN: 'local', GOPROXY: urlOf(proxy) });
      const r = await runCliInProcess(['knowledge', 'update', '--sources', 'proxy', '--go-command', '-o', 'json'], env);
      assert.equal(r.code, 0, r.stderr);
      const rep = JSON.parse(r.stdout) as RefreshReport;
      assert.match(rep.sources[0]!.source, /^go list -m/);
      assert.deepEqual(rep.learned.map((l) => l.version), ['3.6.18', '3.6.19', '3.6.20', '3.7.5', '3.7.7']);
    } finally {
      await rm(h, { recursive: true, force: true });
    }
  });
});

describe('knowledge update from GitHub releases and a git checkout', () => {
  test('a GitHub-compatible releases API (paged); unreachable GitHub fails cleanly beside a working source', async () => {
    const gh = await startFakeGithub([[
      { tag_name: 'v3.6.18', published_at: '2026-12-16T20:00:00Z', prerelease: false, draft: false },
      { tag_name: 'v3.8.0-rc.0', published_at: '2026-12-10T00:00:00Z', prerelease: true, draft: false },
      { tag_name: 'v3.6.17', published_at: '2026-11-18T22:39:16Z', prerelease: false, draft: false },
    ]]);
    const h = await mkdtemp(join(tmpdir(), 'upshift-kn-gh-'));
    try {
      const r = await runCliInProcess(['knowledge', 'update', '--sources', 'github', '--github-api', urlOf(gh), '-o', 'json'], envFor(h));
      assert.equal(r.code, 0, r.stderr);
      const rep = JSON.parse(r.stdout) as RefreshReport;
      assert.deepEqual(rep.learned.map((l) => [l.version, l.source]), [['3.6.18', `github:${urlOf(gh)} etcd-io/etcd release v3.6.18`]]);
      const git = join(h, 'etcd');
      execFileSync('git', ['init', '-q', git]);
      execFileSync('git', ['-C', git, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', 'release']);
      execFileSync('git', ['-C', git, 'tag', 'v3.7.5']);
      execFileSync('git', ['-C', git, 'tag', 'server/v3.7.5']);
      const both = await runCliInProcess(['knowledge', 'update', '--sources', 'github', '--github-api', 'http://127.0.0.1:1', '--git', git, '--timeout', '3s', '-o', 'json'], envFor(h));
      assert.equal(both.code, 0, both.stderr);
      const rep2 = JSON.parse(both.stdout) as RefreshReport;
      assert.deepEqual(rep2.sources.map((s) => [s.kind, s.ok]), [['github', false], ['git', true]]);
      assert.match(both.stderr, /github http:\/\/127\.0\.0\.1:1: cannot reach/);
      assert.deepEqual(rep2.learned.map((l) => l.version), ['3.7.5']);
      assert.match(rep2.learned[0]!.source, /^git:.* tag v3\.7\.5 \(/);
      const nogit = await runCliInProcess(['knowledge', 'update', '--sources', 'git', '-o', 'json'], envFor(h));
      assert.equal(nogit.code, 2, 'git without --git DIR is a usage error');
    } finally {
      gh.close();
      await rm(h, { recursive: true, force: true });
    }
  });

  test('a damaged store is ignored by other commands (with a warning) and rewritten by the next update', async () => {
    const h = await mkdtemp(join(tmpdir(), 'upshift-kn-bad-'));
    try {
      await mkdir(join(h, 'knowledge'), { recursive: true });
      await writeFile(join(h, 'knowledge', 'learned.json'), '{"schema": "something else"');
      const p = await runCliInProcess(['plan', '--from', '3.6.16', '--to', '3.7.3', '-o', 'json'], envFor(h));
      assert.equal(p.code, 0, p.stderr);
      assert.match(p.stderr, /ignoring learned knowledge: .*learned\.json is not valid JSON/);
      const mirror = join(h, 'mirror');
      await mkdir(join(mirror, SERVER, '@v'), { recursive: true });
      await writeFile(join(mirror, SERVER, '@v', 'list'), 'v3.6.17\n');
      const u = await runCliInProcess(['knowledge', 'update', '--sources', 'proxy', '--goproxy', pathToFileURL(mirror).href, '-o', 'json'], envFor(h));
      assert.equal(u.code, 0, u.stderr);
      assert.match((JSON.parse(u.stdout) as RefreshReport).replacedDamaged ?? '', /not valid JSON/);
      const again = await runCliInProcess(['plan', '--from', '3.6.16', '--to', '3.7.3', '-o', 'json'], envFor(h));
      assert.doesNotMatch(again.stderr, /ignoring learned knowledge/);
    } finally {
      await rm(h, { recursive: true, force: true });
    }
  });
});

test('knowledge update against the real Go module proxy (skipped when it cannot be reached)', async (t) => {
  let goproxy = (process.env.GOPROXY ?? '').split(/[,|]/).find((u) => /^https?:\/\//.test(u)) ?? 'https://proxy.golang.org';
  try {
    goproxy = execFileSync('go', ['env', 'GOPROXY'], { encoding: 'utf8' }).trim().split(/[,|]/).find((u) => /^https?:\/\//.test(u)) ?? goproxy;
  } catch {
    // no go command: the environment's GOPROXY or the default
  }
  try {
    const res = await fetch(`${goproxy}/go.etcd.io/etcd/server/v3/@v/list`, { signal: AbortSignal.timeout(8000) });
    if (!res.ok) return t.skip(`${goproxy} answered HTTP ${res.status}`);
  } catch (e) {
    return t.skip(`${goproxy} cannot be reached: ${(e as Error).message}`);
  }
  const h = await mkdtemp(join(tmpdir(), 'upshift-kn-real-'));
  try {
    const r = await runCliInProcess(['knowledge', 'update', '--sources', 'proxy', '-o', 'json'], { ...process.env, UPSHIFT_HOME: h });
    assert.equal(r.code, 0, r.stderr);
    const rep = JSON.parse(r.stdout) as RefreshReport;
    assert.equal(rep.sources[0]!.ok, true);
    assert.ok(rep.sources[0]!.versions >= 40, `the proxy lists etcd 3.5+ releases (${rep.sources[0]!.versions})`);
    for (const l of rep.allLearned) assert.match(l.source, /^proxy:/);
    const show = await runCliInProcess(['knowledge', 'show', '-o', 'json'], { ...process.env, UPSHIFT_HOME: h });
    assert.equal(show.code, 0, show.stderr);
    assert.ok((JSON.parse(show.stdout) as KnowledgeShowResult).learned?.checks.some((c) => c.ok));
  } finally {
    await rm(h, { recursive: true, force: true });
  }
});
