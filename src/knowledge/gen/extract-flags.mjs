#!/usr/bin/env node
// Dev-only generator (not shipped behaviour): reads an etcd git mirror and writes
// src/knowledge/data/server-flags.generated.ts. Usage:
//   node src/knowledge/gen/extract-flags.mjs <etcd-git-dir> [--modules] > src/knowledge/data/server-flags.generated.ts
// With --modules, patches released after the mirror's newest tag of each 3.5+ line are read from the
// go.etcd.io/etcd/server/v3 module zips (`go mod download`, needs Go and a module proxy): the module root
// is the repository's server/ directory, so `server/etcdmain/config.go` is `etcdmain/config.go` there.
// Written by hand because no library parses Go flag registrations; it is a small argument splitter.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
const repo = process.argv[2];
const useModules = process.argv.includes("--modules");
if (!repo) { console.error("usage: extract-flags.mjs <etcd-git-dir> [--modules]"); process.exit(2); }
const git = (...a) => execFileSync("git", ["-C", repo, ...a], { encoding: "utf8", maxBuffer: 1 << 26 });
const gitTags = git("tag", "-l", "v3.*").split("\n").filter((t) => /^v3\.[2-7]\.\d+$/.test(t));
const byPatch = (a, b) => { const [x, y] = [a, b].map((t) => t.slice(1).split(".").map(Number)); return x[0] - y[0] || x[1] - y[1] || x[2] - y[2]; };
/** Module dir of go.etcd.io/etcd/server/v3@tag, or undefined when the proxy does not have it. */
function moduleDir(tag) {
  try {
    const j = JSON.parse(execFileSync("go", ["mod", "download", "-json", `go.etcd.io/etcd/server/v3@${tag}`], { encoding: "utf8", cwd: "/tmp", stdio: ["ignore", "pipe", "ignore"] }));
    return j.Dir;
  } catch { return undefined; }
}
const modules = new Map(); // tag -> module dir
if (useModules) {
  const minors = [...new Set(gitTags.map((t) => t.split(".")[1]))].map(Number).filter((m) => m >= 5);
  for (const mi of minors) {
    const last = Math.max(...gitTags.filter((t) => t.startsWith(`v3.${mi}.`)).map((t) => Number(t.split(".")[2])));
    for (let p = last + 1; ; p++) {
      const dir = moduleDir(`v3.${mi}.${p}`);
      if (!dir) break;
      modules.set(`v3.${mi}.${p}`, dir);
    }
  }
}
const tags = [...gitTags, ...modules.keys()].sort(byPatch);
/** `git show tag:path`, or the file from the tag's server module (paths under server/). */
function show(tag, path) {
  const dir = modules.get(tag);
  if (!dir) return git("show", `${tag}:${path}`);
  if (!path.startsWith("server/")) throw new Error(`${path} is not in the server module`);
  return readFileSync(`${dir}/${path.slice("server/".length)}`, "utf8");
}
const files = (t) => (t.startsWith('v3.2') || t.startsWith('v3.3') || t.startsWith('v3.4')) ? ['etcdmain/config.go'] : t.startsWith('v3.5') ? ['server/etcdmain/config.go'] : ['server/etcdmain/config.go', 'server/embed/config.go'];
function splitArgs(s, start) { // returns top-level args of call starting after '('
  let depth = 0, cur = '', args = [], i = start, inStr = null;
  for (; i < s.length; i++) {
    const c = s[i];
    if (inStr) { cur += c; if (c === '\\') { cur += s[++i]; continue; } if (c === inStr) inStr = null; continue; }
    if (c === '"' || c === '`') { inStr = c; cur += c; continue; }
    if (c === '(' || c === '{' || c === '[') depth++;
    if (c === ')' || c === '}' || c === ']') { if (depth === 0) { args.push(cur.trim()); return args; } depth--; }
    if (c === ',' && depth === 0) { args.push(cur.trim()); cur = ''; continue; }
    cur += c;
  }
  return args;
}
const fl = {}, ym = {};
const pre = (t) => (/^v3\.[234]\./.test(t) ? "" : "server/");
for (const t of tags) {
  const names = new Set();
  for (const f of files(t)) {
    let src; try { src = show(t, f); } catch { continue; }
    const re = /\bfs\.(\w+)\(/g; let m;
    while ((m = re.exec(src))) {
      const fn = m[1]; if (fn === 'Parse' || fn === 'Usage' || fn === 'Lookup' || fn === 'Visit' || fn === 'VisitAll' || fn === 'Set') continue;
      const args = splitArgs(src, m.index + m[0].length);
      const idx = fn.endsWith('Var') ? 1 : 0;
      const a = args[idx]; if (!a) continue;
      const sm = /^"([a-z0-9.-]+)"$/.exec(a);
      if (sm) names.add(sm[1]); else if (a !== 'f') names.add('?' + a);
    }
  }
  if (files(t).length > 1 && /AddFlag\(fs, ServerFeatureGateFlagName\)/.test(show(t, "server/embed/config.go"))) names.add("feature-gates");
  fl[t.slice(1)] = [...names].sort();
  const top = new Set(), sec = new Set();
  for (const f of ['embed/config.go', 'etcdmain/config.go']) {
    let src; try { src = show(t, `${pre(t)}${f}`); } catch { continue; }
    const re = /type (\w+) struct \{([\s\S]*?)\n\}/g; let m;
    while ((m = re.exec(src))) {
      const target = m[1] === 'securityConfig' ? sec : top;
      for (const j of m[2].matchAll(/json:"([a-z0-9.-]+)[",]/g)) target.add(j[1]);
    }
  }
  ym[t.slice(1)] = { top: [...top].sort(), security: [...sec].sort() };
}
function compact(getter) {
  const byMinor = {};
  for (const v of Object.keys(fl)) { const [, mi, p] = v.split('.'); (byMinor['3.' + mi] ??= {})[+p] = getter(v).filter((x) => x !== '-'); }
  const res = {};
  for (const [m, pv] of Object.entries(byMinor)) {
    const patches = Object.keys(pv).map(Number).sort((a, b) => a - b); const last = patches.at(-1);
    const all = [...new Set(patches.flatMap((p) => pv[p]))].sort();
    const o = {};
    for (const f of all) { const pr = patches.filter((p) => pv[p].includes(f)); const from = pr[0], to = pr.at(-1);
      if (pr.length !== to - from + 1) throw new Error('noncontiguous ' + m + f);
      o[f] = from === 0 && to === last ? '*' : `${m}.${from}-${m}.${to}`; }
    res[m] = o;
  }
  return res;
}
const flags = compact((v) => fl[v]), yaml = compact((v) => ym[v].top), sec = compact((v) => ym[v].security);
const minors = Object.keys(flags).sort((a, b) => +a.split('.')[1] - +b.split('.')[1]);
const through = Object.fromEntries(minors.map((m) => [m, tags.filter((t) => t.startsWith(`v${m}.`)).at(-1).slice(1)]));
const head = git("rev-parse", "--short=7", "HEAD").trim();
const fromGit = `tags ${gitTags.sort(byPatch)[0]} .. ${gitTags.at(-1)}, HEAD ${head}`;
const fromModules = modules.size ? `; go.etcd.io/etcd/server/v3 module zips (Go module proxy) ${[...modules.keys()].join(', ')}` : '';
const fmt = (o) => '{\n' + Object.entries(o).map(([k, v]) => `      '${k}': '${v}',`).join('\n') + '\n    }';
let s = `/**
 * GENERATED from the etcd git repository (etcd-io/etcd, ${fromGit}${fromModules}) by
 * src/knowledge/gen/extract-flags.mjs — do not edit by hand; re-run the generator instead.
 *
 * For every minor line: every server flag the \`etcd\` binary's flag set defines, and every key its
 * \`--config-file\` YAML reader knows, with the patch range in which it exists ('*' = every patch of the
 * line). Flags: \`fs.*Var(..., "name", ...)\` calls in etcdmain/config.go (3.2-3.4),
 * server/etcdmain/config.go (3.5) and server/embed/config.go + server/etcdmain/config.go (3.6+), plus
 * \`--feature-gates\` (3.6+, FeatureGate.AddFlag). YAML keys: json struct tags in embed/config.go and
 * etcdmain/config.go (\`securityKeys\` are the keys inside client-/peer-transport-security).
 * Cross-checked against \`etcd --help\` of the 3.3.25, 3.4.23 and 3.5.30 release binaries.
 */
export interface FlagSetData {
  /** name -> '*' (every patch of the line) or 'X.Y.A-X.Y.B' (inclusive patch range). */
  readonly flags: Readonly<Record<string, string>>;
  readonly yamlKeys: Readonly<Record<string, string>>;
  readonly securityKeys: Readonly<Record<string, string>>;
  readonly source: string;
  /** The newest tag of the line the sets were generated from: later patches are assumed to keep its set. */
  readonly through: string;
}

const src = (m: string, files: string): string => \`etcd@v\${m}.x:\${files} (all v\${m}.* tags)\`;

export const serverFlagSets: Readonly<Record<string, FlagSetData>> = {
`;
const srcFiles = { '3.2': 'etcdmain/config.go, embed/config.go', '3.3': 'etcdmain/config.go, embed/config.go', '3.4': 'etcdmain/config.go, embed/config.go', '3.5': 'server/etcdmain/config.go, server/embed/config.go', '3.6': 'server/etcdmain/config.go, server/embed/config.go', '3.7': 'server/etcdmain/config.go, server/embed/config.go' };
for (const m of minors) s += `  '${m}': {\n    through: '${through[m]}',\n    source: src('${m}', '${srcFiles[m]}'),\n    flags: ${fmt(flags[m])},\n    yamlKeys: ${fmt(yaml[m])},\n    securityKeys: ${fmt(sec[m])},\n  },\n`;
s += '};\n';
process.stdout.write(s);
