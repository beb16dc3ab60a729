/**
 * Version-aware config linting for one hop: which settings the target removes, renames, changes the
 * default of, deprecates or rejects, and how etcd reacts depending on where the setting comes from
 * (CLI flag: exit 2; YAML key: silently ignored; ETCD_* variable: warning). Pure.
 */
import * as kb from '../knowledge/index.js';
import type { FlagReaction, FlagRule } from '../knowledge/types.js';
import type { ConfigSource, FlagChange, Finding, Setting, Severity } from './types.js';

const SEVERITY_BY_REACTION: Record<FlagReaction, Severity> = { exits: 'blocker', warns: 'warning', ignored: 'warning', accepted: 'info' };

const ORIGIN_TEXT = { cli: 'command-line flag', yaml: 'config-file key', env: 'environment variable' } as const;

/** YAML transport-security sub-keys -> flag names (etcd@v3.5.33:server/embed/config.go securityConfig). */
function securityFlag(section: 'client' | 'peer', key: string): string {
  const clientMap: Record<string, string> = {
    'cert-file': 'cert-file', 'key-file': 'key-file', 'client-cert-file': 'client-cert-file', 'client-key-file': 'client-key-file',
    'client-cert-auth': 'client-cert-auth', 'trusted-ca-file': 'trusted-ca-file', 'auto-tls': 'auto-tls', 'ca-file': 'ca-file',
    'allowed-cn': 'client-cert-allowed-cn', 'allowed-hostname': 'client-cert-allowed-hostname',
  };
  if (section === 'client') return clientMap[key] ?? key;
  if (key === 'allowed-cn') return 'peer-cert-allowed-cn';
  if (key === 'allowed-hostname') return 'peer-cert-allowed-hostname';
  if (key === 'skip-client-san-verification') return 'peer-skip-client-san-verification';
  return `peer-${key}`;
}

/** The flag a setting corresponds to, for rule lookup. */
export function flagNameOf(s: Setting): string {
  if (s.origin !== 'yaml') return s.name;
  const m = /^(client|peer)-transport-security\.(.+)$/.exec(s.name);
  if (m) return securityFlag(m[1] as 'client' | 'peer', m[2]!);
  // The one YAML key whose name differs from its flag.
  if (s.name === 'experimental-snapshot-catch-up-entries') return 'experimental-snapshot-catchup-entries';
  return s.name;
}

/** Does version `v` understand this setting (flag / YAML key / env var)? */
export function settingKnown(s: Setting, v: string): boolean | undefined {
  if (s.origin === 'yaml') {
    const m = /^(client|peer)-transport-security\.(.+)$/.exec(s.name);
    if (m) return kb.securityKeyExists(m[2]!, v);
    return kb.yamlKeyExists(s.name, v);
  }
  return kb.flagExists(s.name, v);
}

/** Does the rule's `since` fall in (from, to]? Minor-level `since` compares lines; patch-level compares versions. */
function ruleInHop(rule: FlagRule, from: string, to: string): boolean {
  const minor = kb.parseMinor(rule.since);
  if (minor) return kb.compareMinors(minor, kb.minorOf(from)) > 0 && kb.compareMinors(minor, kb.minorOf(to)) <= 0;
  return kb.compareVersions(rule.since, from) > 0 && kb.compareVersions(rule.since, to) <= 0;
}

function where(s: Setting): string {
  return `${s.file}${s.line !== undefined ? `:${s.line}` : ''}`;
}

function reactionSentence(r: FlagReaction, s: Setting, to: string): string {
  switch (r) {
    case 'exits':
      return `etcd ${to} refuses to start with this ${ORIGIN_TEXT[s.origin]}.`;
    case 'ignored':
      return `etcd ${to} silently ignores this ${ORIGIN_TEXT[s.origin]}: the setting has no effect.`;
    case 'warns':
      return `etcd ${to} starts and logs a warning.`;
    case 'accepted':
      return '';
  }
}

function findingCode(rule: FlagRule, reaction: FlagReaction): string {
  if ((rule.value !== undefined || rule.valuePattern !== undefined) && reaction === 'exits') return 'flag-value-rejected';
  return `flag-${rule.kind}`;
}

/** The setting in `cfg` that is the replacement of a renamed flag (`corrupt-check-time`, or the gate in --feature-gates). */
function conflictingReplacement(cfg: ConfigSource, replacement: string): Setting | undefined {
  if (replacement.startsWith('feature-gates=')) {
    const gate = replacement.slice('feature-gates='.length).split('=')[0]!;
    return cfg.settings.find((x) => flagNameOf(x) === 'feature-gates' && (x.value ?? '').split(',').some((kv) => kv.trim().split('=')[0] === gate));
  }
  return cfg.settings.find((x) => flagNameOf(x) === replacement);
}

/** How a setting is written, for change lists: `--logger=capnslog`, `ETCD_ENABLE_V2`, `enable-v2` (YAML). */
function display(s: Setting, withValue: boolean): string {
  if (s.origin === 'yaml') return s.name;
  if (s.origin === 'env') return s.raw;
  return withValue && s.value !== undefined ? `${s.raw}=${s.value}` : s.raw;
}

/** A replacement flag (`corrupt-check-time`, `feature-gates=X=true`) as it is written in the same kind of config. */
function written(origin: Setting['origin'], replacement: string): string {
  const eq = replacement.indexOf('=');
  const [name, value] = eq < 0 ? [replacement, undefined] : [replacement.slice(0, eq), replacement.slice(eq + 1)];
  if (origin === 'yaml') return value === undefined ? name : `${name}: ${value}`;
  if (origin === 'env') return value === undefined ? kb.flagToEnv(name) : `${kb.flagToEnv(name)}=${value}`;
  return `--${replacement}`;
}

/**
 * When a config edit can be made: `before` the hop on every member (the source version already accepts
 * the new form, or the edit is a removal), or `with-binary` — together with each member's switch, because
 * the source version does not know the replacement (e.g. --feature-gates on 3.5).
 */
function changeTiming(replacement: string | undefined, from: string): FlagChange['when'] {
  if (!replacement) return 'before';
  const name = replacement.split('=')[0]!;
  return kb.flagExists(name, from) ? 'before' : 'with-binary';
}

function capitalize(t: string): string {
  return t.charAt(0).toUpperCase() + t.slice(1);
}

export interface HopLint {
  findings: Finding[];
  changes: FlagChange[];
}

/** Lint every config source against the hop `from -> to`. */
export function lintConfigsForHop(configs: readonly ConfigSource[], from: string, to: string, hop: string, firstHop: boolean): HopLint {
  const findings: Finding[] = [];
  const changes: FlagChange[] = [];
  const rulesInHop = kb.allFlagRules.filter((r) => r.kind !== 'added' && ruleInHop(r, from, to));

  for (const cfg of configs) {
    const setNames = new Set(cfg.settings.map(flagNameOf));
    for (const s of cfg.settings) {
      const flag = flagNameOf(s);
      const rules = rulesInHop.filter(
        (r) => r.flag === flag && r.kind !== 'default-changed' && (r.value === undefined || r.value === s.value) && (r.valuePattern === undefined || new RegExp(r.valuePattern).test(s.value ?? '')),
      );
      let handledAsRemoved = false;
      for (const rule of rules) {
        const reaction = rule.reaction[s.origin];
        const severity = SEVERITY_BY_REACTION[reaction];
        findings.push({
          severity,
          code: findingCode(rule, reaction),
          message: `${where(s)}: ${s.raw}${s.value !== undefined && (rule.value !== undefined || rule.valuePattern !== undefined) ? `=${s.value}` : ''} — ${rule.detail}. ${reactionSentence(reaction, s, to)} ${capitalize(rule.action)}.`.replace(/\s+/g, ' ').replace(/\.\./g, '.').trim(),
          source: rule.source,
          hop,
          file: s.file,
          ...(s.line !== undefined ? { line: s.line } : {}),
          flag,
        });
        if (rule.kind === 'renamed' && rule.replacement) {
          const conflict = conflictingReplacement(cfg, rule.replacement);
          if (conflict) {
            findings.push({
              severity: 'blocker',
              code: 'flag-conflict',
              message: `${where(s)}: ${s.raw} and ${where(conflict)}: ${conflict.raw} are both set; etcd ${to} refuses to start ("cannot set --${flag} and --${rule.replacement.split('=')[0]} at the same time"). Keep only --${rule.replacement}.`,
              source: 'etcd@v3.6.14:server/embed/config.go:1184-1190 (Validate); etcd@v3.6.14:server/embed/config.go:1131-1157 (SetFeatureGatesFromExperimentalFlags)',
              hop,
              file: s.file,
              ...(s.line !== undefined ? { line: s.line } : {}),
              flag,
            });
          }
        }
        if (rule.kind === 'removed' || rule.kind === 'renamed') {
          handledAsRemoved = true;
          changes.push({
            file: s.file, flag: display(s, rule.value !== undefined), origin: s.origin, change: rule.replacement ? 'rename' : 'remove',
            ...(rule.replacement ? { replacement: written(s.origin, rule.replacement) } : {}), reaction, when: changeTiming(rule.replacement, from),
          });
        } else if (reaction !== 'accepted') {
          changes.push({ file: s.file, flag: display(s, rule.value !== undefined), origin: s.origin, change: 'review', reaction, when: 'before' });
        }
      }
      if (handledAsRemoved) continue;
      // Anything else the target does not know, from the per-tag flag sets.
      const known = settingKnown(s, to);
      if (known !== false) continue;
      const knownAtFrom = settingKnown(s, from);
      // Unknown at the source too: report it once, on the first hop.
      if (knownAtFrom === false && !firstHop) continue;
      const reaction = kb.unknownSettingReaction[s.origin].reaction;
      findings.push({
        severity: SEVERITY_BY_REACTION[reaction],
        code: 'flag-unknown',
        message: `${where(s)}: ${s.raw} is not a ${ORIGIN_TEXT[s.origin]} etcd ${to} knows${knownAtFrom === false ? ` (nor does ${from})` : ''}. ${reactionSentence(reaction, s, to)} Remove it or check the spelling.`,
        source: `${kb.serverFlagSets[kb.minorOf(to)]?.source ?? 'upshift knowledge base'}; ${kb.unknownSettingReaction[s.origin].source}`,
        hop,
        file: s.file,
        ...(s.line !== undefined ? { line: s.line } : {}),
        flag,
      });
      changes.push({ file: s.file, flag: display(s, false), origin: s.origin, change: 'remove', reaction, when: 'before' });
    }
    // --config-file makes etcd ignore the other flags and ETCD_* variables (they are still parsed).
    if (cfg.kind !== 'yaml' && cfg.settings.some((s) => s.name === 'config-file') && cfg.settings.length > 1 && firstHop) {
      findings.push({
        severity: 'info',
        code: 'config-file-overrides-flags',
        message: `${cfg.file}: --config-file is set, so etcd ignores the other flags and ETCD_* variables given with it (unknown flags still stop it). Lint the YAML file too (--config <file>).`,
        source: 'etcd@v3.5.33:server/etcdmain/config.go:360-370 ("other configuration command line flags and environment variables will be ignored")',
        hop,
        file: cfg.file,
      });
    }
  }
  // Default changes matter only where no given config sets the flag (one finding per hop, not per file).
  if (configs.length > 0) {
    const setAnywhere = new Set(configs.flatMap((c) => c.settings.map(flagNameOf)));
    for (const rule of rulesInHop.filter((r) => r.kind === 'default-changed')) {
      if (setAnywhere.has(rule.flag)) continue;
      findings.push({
        severity: 'info',
        code: 'flag-default-changed',
        message: `--${rule.flag} is not set in ${configs.map((c) => c.file).join(', ')}, so its default applies, and it changes in ${rule.since} from ${rule.oldDefault} to ${rule.newDefault} (${rule.detail}). ${capitalize(rule.action)}.`.replace(/\.\./g, '.'),
        source: rule.source,
        hop,
        flag: rule.flag,
      });
    }
  }
  findings.push(...envFlagConflicts(configs, from, to, hop, firstHop));
  return { findings, changes: dedupeChanges(changes) };
}

/** 3.4+ exits when a setting is given both as ETCD_* and as a flag (3.3 only warned). */
function envFlagConflicts(configs: readonly ConfigSource[], from: string, to: string, hop: string, firstHop: boolean): Finding[] {
  if (kb.compareMinors(kb.minorOf(to), '3.4') < 0) return [];
  // Report on the hop that crosses into 3.4, or on the first hop when already there.
  if (kb.compareMinors(kb.minorOf(from), '3.4') >= 0 && !firstHop) return [];
  const cli = new Map<string, Setting>();
  for (const c of configs) for (const s of c.settings) if (s.origin === 'cli') cli.set(s.name, s);
  const out: Finding[] = [];
  for (const c of configs) {
    for (const s of c.settings) {
      if (s.origin !== 'env') continue;
      const f = cli.get(s.name);
      if (!f) continue;
      out.push({
        severity: 'blocker',
        code: 'env-flag-conflict',
        message: `${where(s)}: ${s.raw} and ${where(f)}: ${f.raw} set the same setting; etcd 3.4+ exits ("conflicting environment variable ... is shadowed by corresponding command-line flag"). Keep one of them.`,
        source: 'etcd@v3.4.0:pkg/flags/flag.go:83-85 (3.3 only warned: etcd@v3.3.27:pkg/flags/flag.go:121-124)',
        hop,
        file: s.file,
        ...(s.line !== undefined ? { line: s.line } : {}),
        flag: s.name,
      });
    }
  }
  return out;
}

function dedupeChanges(changes: FlagChange[]): FlagChange[] {
  const seen = new Map<string, FlagChange>();
  for (const c of changes) {
    const k = `${c.file}|${c.flag}|${c.origin}`;
    const prev = seen.get(k);
    if (!prev || (prev.change === 'review' && c.change !== 'review')) seen.set(k, c);
  }
  return [...seen.values()].sort((a, b) => a.file.localeCompare(b.file) || a.flag.localeCompare(b.flag) || a.origin.localeCompare(b.origin));
}
