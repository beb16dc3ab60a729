/**
 * Rewrite an etcd command line for another version: the flag adjustments an upgrade (or a rollback)
 * executor applies when it restarts a member on a different binary. Pure. Uses the per-tag flag sets
 * (does version X define this flag?) and the flag rules (what replaced it).
 *
 *   adjustArgsForVersion(['--logger=capnslog', '--experimental-corrupt-check-time=5m'], '3.6.14')
 *   -> args ['--logger=zap', '--corrupt-check-time=5m'], adjustments saying why
 */
import * as kb from '../knowledge/index.js';
import { FEATURE_GATES_SOURCE, gateKnown, gateSpec } from '../knowledge/data/feature-gates.js';

export interface ArgAdjustment {
  /** The argument as given. */
  from: string;
  action: 'renamed' | 'rewritten' | 'dropped' | 'merged';
  /** The argument(s) it became (absent when dropped). */
  to?: string;
  reason: string;
  source: string;
}

export interface AdjustedArgs {
  args: string[];
  adjustments: ArgAdjustment[];
  /** Arguments the target does not define and no rule maps: kept as given; etcd would exit 2 on them. */
  unresolved: string[];
}

/** Renamed flags whose values are not valid for the replacement. */
const VALUE_INCOMPATIBLE = new Set(['log-package-levels']);

interface Parsed {
  name: string;
  value: string | undefined;
  raw: string;
}

function parseArg(a: string): Parsed | undefined {
  const m = /^--?([A-Za-z0-9][A-Za-z0-9._-]*)(?:=(.*))?$/s.exec(a);
  return m ? { name: m[1]!, value: m[2], raw: a } : undefined;
}

/** Join `--flag value` pairs into `--flag=value` so each flag is one element (values never start with '-'). */
function normalise(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const p = parseArg(a);
    const next = args[i + 1];
    if (p && p.value === undefined && next !== undefined && !next.startsWith('-') && !isBooleanLike(p.name)) {
      out.push(`--${p.name}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** Flags that are booleans in etcd (a bare `--flag` means true); a following word is not their value. */
function isBooleanLike(name: string): boolean {
  return /(^|-)(enable|auto-tls|client-cert-auth|force-new-cluster|strict-reconfig-check|pre-vote|debug|enable-pprof|experimental-initial-corrupt-check|unsafe-no-fsync|memory-mlock|version|socket-reuse|self-signed)/.test(name) || name.endsWith('-check-enabled') || name.endsWith('-on-defrag') || name.endsWith('-verification');
}

const sinceMinor = (r: kb.FlagRule): string => kb.parseMinor(r.since) ?? kb.minorOf(r.since);

/**
 * The rule that says what replaced `flag` (removed/renamed with a replacement): the newest one that applies
 * to `target` (its `since` at or below the target's minor), else the newest of all.
 */
function replacementRule(flag: string, target?: string): kb.FlagRule | undefined {
  const rules = kb
    .rulesForFlag(flag)
    .filter((r) => r.replacement && (r.kind === 'renamed' || r.kind === 'removed') && r.value === undefined)
    .sort((a, b) => kb.compareMinors(sinceMinor(b), sinceMinor(a)));
  return (target ? rules.find((r) => kb.compareMinors(sinceMinor(r), kb.minorOf(target)) <= 0) : undefined) ?? rules[0];
}

/**
 * A flag the target still accepts but has renamed (3.6: `--experimental-*` -> the plain name or a feature
 * gate, web:content/en/docs/v3.6/upgrades/upgrade_3_6.md "Flags deprecated"): moved to the new form now, so
 * the member reaches 3.7, which refuses the old names (web:content/en/docs/v3.7/upgrades/upgrade_3_7.md),
 * without an edit. Only when the replacement exists in the target.
 */
function deprecatedRename(flag: string, target: string): kb.FlagRule | undefined {
  const rule = kb.rulesForFlag(flag).find((r) => r.kind === 'renamed' && r.replacement && r.value === undefined && kb.compareMinors(sinceMinor(r), kb.minorOf(target)) <= 0);
  if (!rule?.replacement) return undefined;
  const [rname, rval] = splitOnce(rule.replacement, '=');
  if (!kb.flagExists(rname, target)) return undefined;
  // A boolean turned into a fixed setting of another flag (--debug -> --log-level=debug) is left to the removal.
  if (rname !== 'feature-gates' && rval !== undefined) return undefined;
  return rule;
}

/** For a rollback: the old flag a newer flag replaced, if the target still has it. */
function previousName(flag: string, gate: string | undefined, to: string): { rule: kb.FlagRule; name: string } | undefined {
  for (const r of kb.allFlagRules) {
    if (!r.replacement || r.value !== undefined || (r.kind !== 'renamed' && r.kind !== 'removed')) continue;
    const [rname, rval] = splitOnce(r.replacement, '=');
    if (rname !== flag) continue;
    if (gate !== undefined && (rval === undefined || splitOnce(rval, '=')[0] !== gate)) continue;
    if (kb.flagExists(r.flag, to)) return { rule: r, name: r.flag };
  }
  return undefined;
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

/**
 * Adjust `args` (etcd server flags, any order) so that etcd `to` starts with them. Flags the target
 * defines are kept, except deprecated names the target already renamed (3.6's `--experimental-*`), which move
 * to the new name now; renamed/removed ones with a known replacement are renamed (feature gates merged into
 * one --feature-gates); --logger=capnslog becomes --logger=zap on 3.5+; on the way back (rollback,
 * downgrade) new names are turned into the old ones where the target has them.
 */
export function adjustArgsForVersion(args: readonly string[], to: string): AdjustedArgs {
  const target = kb.parseVersion(to)?.version;
  if (!target || !kb.releaseLine(kb.minorOf(target))) throw new Error(`adjustArgsForVersion: unknown etcd version ${to}`);
  const out: string[] = [];
  const adjustments: ArgAdjustment[] = [];
  const unresolved: string[] = [];
  const gates: string[] = [];
  let gateIndex = -1;

  for (const a of normalise(args)) {
    const p = parseArg(a);
    if (!p) {
      out.push(a);
      continue;
    }
    if (p.name === 'logger' && p.value === 'capnslog' && kb.compareMinors(kb.minorOf(target), '3.5') >= 0) {
      // The rule about the value itself, not the flag's 'added in 3.4' rule that rulesForFlag also returns.
      const rules = kb.rulesForFlag('logger', 'capnslog');
      const rule = rules.find((r) => r.value === 'capnslog') ?? rules[0]!;
      out.push('--logger=zap');
      adjustments.push({ from: a, action: 'rewritten', to: '--logger=zap', reason: rule.detail, source: rule.source });
      continue;
    }
    if (p.name === 'feature-gates') {
      if (kb.flagExists('feature-gates', target)) {
        // A gate the target does not know stops it at start (a downgrade 3.7 -> 3.6 with a 3.7-only gate).
        const all = (p.value ?? '').split(',').filter(Boolean);
        const unknown = all.filter((g) => gateKnown(splitOnce(g, '=')[0], kb.minorOf(target)) === false);
        for (const g of unknown) adjustments.push({ from: `--feature-gates=${g}`, action: 'dropped', reason: `etcd ${kb.minorOf(target)} has no feature gate ${splitOnce(g, '=')[0]} (added in ${gateSpec(splitOnce(g, '=')[0])?.since ?? 'a later minor'})`, source: FEATURE_GATES_SOURCE });
        const kept = all.filter((g) => !unknown.includes(g));
        if (kept.length === 0) continue;
        if (gateIndex < 0) {
          gateIndex = out.length;
          out.push('');
        }
        gates.push(...kept);
        continue;
      }
      // Rollback below 3.6: each gate back to its --experimental-* flag where the target has one.
      for (const g of (p.value ?? '').split(',').filter(Boolean)) {
        const [gate, val] = splitOnce(g, '=');
        const prev = previousName('feature-gates', gate, target);
        if (prev) {
          const arg = `--${prev.name}=${val ?? 'true'}`;
          out.push(arg);
          adjustments.push({ from: `--feature-gates=${g}`, action: 'renamed', to: arg, reason: `etcd ${target} has no --feature-gates; ${prev.rule.detail}`, source: prev.rule.source });
        } else {
          adjustments.push({ from: `--feature-gates=${g}`, action: 'dropped', reason: `etcd ${target} has no --feature-gates and no flag for ${gate}`, source: kb.serverFlagSets[kb.minorOf(target)]!.source });
        }
      }
      continue;
    }
    if (kb.flagExists(p.name, target) && !deprecatedRename(p.name, target)) {
      out.push(a);
      continue;
    }
    const rule = replacementRule(p.name, target);
    if (rule?.replacement) {
      const [rname, rval] = splitOnce(rule.replacement, '=');
      if (rname === 'feature-gates' && kb.flagExists('feature-gates', target) && rval) {
        const gate = splitOnce(rval, '=')[0];
        const g = `${gate}=${p.value ?? 'true'}`;
        if (gateIndex < 0) {
          gateIndex = out.length;
          out.push('');
        }
        gates.push(g);
        adjustments.push({ from: a, action: 'merged', to: `--feature-gates=${g}`, reason: rule.detail, source: rule.source });
        continue;
      }
      // A boolean flag replaced by a fixed setting (--debug -> --log-level=debug).
      if (rname !== 'feature-gates' && rval !== undefined && kb.flagExists(rname, target)) {
        if (p.value === undefined || p.value === 'true') {
          out.push(`--${rule.replacement}`);
          adjustments.push({ from: a, action: 'rewritten', to: `--${rule.replacement}`, reason: rule.detail, source: rule.source });
        } else adjustments.push({ from: a, action: 'dropped', reason: rule.detail, source: rule.source });
        continue;
      }
      // Replacements whose values mean something else are not carried over (--log-package-levels=pkg=LEVEL).
      if (VALUE_INCOMPATIBLE.has(p.name)) {
        adjustments.push({ from: a, action: 'dropped', reason: `${rule.detail}; its value does not carry over: set --${rname} yourself`, source: rule.source });
        continue;
      }
      if (rname !== 'feature-gates' && rval === undefined && kb.flagExists(rname, target)) {
        const arg = p.value === undefined ? `--${rname}` : `--${rname}=${p.value}`;
        out.push(arg);
        adjustments.push({ from: a, action: 'renamed', to: arg, reason: rule.detail, source: rule.source });
        continue;
      }
    }
    const back = previousName(p.name, undefined, target);
    if (back) {
      const arg = p.value === undefined ? `--${back.name}` : `--${back.name}=${p.value}`;
      out.push(arg);
      adjustments.push({ from: a, action: 'renamed', to: arg, reason: `etcd ${target} predates --${p.name}`, source: back.rule.source });
      continue;
    }
    const removal = kb.rulesForFlag(p.name).find((r) => r.kind === 'removed' && !r.replacement && r.value === undefined);
    if (removal) {
      adjustments.push({ from: a, action: 'dropped', reason: removal.detail, source: removal.source });
      continue;
    }
    unresolved.push(a);
    out.push(a);
  }
  if (gateIndex >= 0) {
    const merged = `--feature-gates=${[...new Set(gates)].join(',')}`;
    out[gateIndex] = merged;
  }
  return { args: out, adjustments, unresolved };
}
