/**
 * The `--config-file` counterpart of adjustArgsForVersion (args.ts): rewrite an etcd YAML config for
 * another version. It matters more than for flags: etcd reads the file with a non-strict YAML unmarshal, so
 * a key the version no longer knows is silently ignored (etcd@v3.6.14:server/embed/config.go:981,
 * etcd@v3.7.1:server/embed/config.go:790) — 3.7 would start with `experimental-initial-corrupt-check: true`
 * and quietly run without the check. Pure: text in, text out, comments and order kept (yaml's Document API).
 *
 * Only top-level scalar keys are flags (`client-transport-security` and other maps, and lists such as
 * `log-outputs`, are kept as they are). A boolean turned into a feature gate is merged into the
 * `feature-gates` string (`feature-gates: "InitialCorruptCheck=true"`, etcd@v3.6.17 server/embed/config.go
 * configFromFile: ServerFeatureGatesJSON).
 */
import { isMap, isScalar, parseDocument, type Pair, type Scalar } from 'yaml';
import { adjustArgsForVersion, type ArgAdjustment } from './args.js';

export interface AdjustedYaml {
  text: string;
  adjustments: ArgAdjustment[];
  /** Keys the target does not know and no rule maps: etcd ignores them silently. */
  ignored: string[];
}

export function adjustYamlForVersion(text: string, to: string): AdjustedYaml {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  if (!isMap(doc.contents)) return { text, adjustments: [], ignored: [] };
  const pairs = doc.contents.items as Pair<Scalar, unknown>[];
  const byArg = new Map<string, Pair<Scalar, unknown>>();
  const args: string[] = [];
  for (const p of pairs) {
    if (!isScalar(p.key) || !isScalar(p.value) || p.value.value === null) continue;
    const arg = `--${String(p.key.value)}=${String(p.value.value)}`;
    byArg.set(arg, p);
    args.push(arg);
  }
  const adj = adjustArgsForVersion(args, to);
  if (adj.adjustments.length === 0) return { text, adjustments: [], ignored: adj.unresolved.map(keyOf) };
  const drop = new Set<Pair<Scalar, unknown>>();
  const isGates = (p: Pair<Scalar, unknown>): boolean => p.key.value === 'feature-gates';
  for (const a of adj.adjustments) {
    const p = byArg.get(a.from);
    if (!p || isGates(p)) continue; // feature-gates entries: below
    if ((a.action === 'renamed' || a.action === 'rewritten') && a.to && !a.to.startsWith('--feature-gates=')) {
      const [k, v] = splitArg(a.to);
      p.key.value = k;
      if (a.action === 'rewritten' && v !== undefined) (p.value as Scalar).value = parseScalar(v);
    } else {
      drop.add(p);
    }
  }
  // Feature gates: the merged value of the adjusted args (3.6+), or split back into --experimental-* keys
  // (older targets, e.g. a downgrade to 3.5).
  const gates = adj.args.find((x) => x.startsWith('--feature-gates='));
  const gatePair = pairs.find((p) => isScalar(p.key) && isGates(p));
  if (gates) {
    const value = gates.slice('--feature-gates='.length);
    if (gatePair) (gatePair.value as Scalar).value = value;
    else doc.contents.items.push(doc.createPair('feature-gates', value) as never);
  } else if (gatePair) {
    drop.add(gatePair);
    for (const a of adj.adjustments) {
      if (!a.from.startsWith('--feature-gates=') || a.action !== 'renamed' || !a.to) continue;
      const [k, v] = splitArg(a.to);
      doc.contents.items.push(doc.createPair(k, v === undefined ? true : parseScalar(v)) as never);
    }
  }
  doc.contents.items = doc.contents.items.filter((p) => !drop.has(p as Pair<Scalar, unknown>));
  return { text: doc.toString(), adjustments: adj.adjustments, ignored: adj.unresolved.map(keyOf) };
}

function splitArg(a: string): [string, string | undefined] {
  const body = a.replace(/^--?/, '');
  const i = body.indexOf('=');
  return i < 0 ? [body, undefined] : [body.slice(0, i), body.slice(i + 1)];
}

function keyOf(a: string): string {
  return splitArg(a)[0];
}

/** YAML values for flags written back: booleans and numbers as such (etcd unmarshals them typed). */
function parseScalar(v: string): string | number | boolean {
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (/^-?\d+$/.test(v)) return Number(v);
  return v;
}
