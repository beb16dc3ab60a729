/**
 * Readers for the ways etcd gets its configuration: `--config-file` YAML, a command line (a file with the
 * flags, or a systemd unit's ExecStart= with line continuations and quoting), and ETCD_* environment
 * files (systemd EnvironmentFile= format). Parsing is pure (text in, settings out); `readConfigFile`
 * is the only I/O.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isMap, isScalar, isSeq, type Node as YamlNode, type Pair } from 'yaml';
import { UsageError } from '../core/errors.js';
import type { ConfigSource, Finding, Setting } from './types.js';

export type ConfigKind = ConfigSource['kind'];
const KINDS: readonly ConfigKind[] = ['yaml', 'flags', 'systemd', 'env'];

/** `--config yaml:/etc/etcd.yml` forces the kind; otherwise it is guessed from the name and content. */
export function splitKindPrefix(spec: string): { kind?: ConfigKind; path: string } {
  const m = /^(yaml|flags|systemd|env):(.+)$/.exec(spec);
  return m ? { kind: m[1] as ConfigKind, path: m[2]! } : { path: spec };
}

export async function readConfigFile(spec: string): Promise<ConfigSource> {
  const { kind, path } = splitKindPrefix(spec);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`--config ${path}: cannot read the file (${code ?? String(e)})`, { code: 'config-unreadable', hint: 'give the path of an etcd YAML config, a flag list, a systemd unit or an ETCD_* environment file' });
  }
  return parseConfigText(path, text, kind);
}

export function detectKind(file: string, text: string): ConfigKind {
  if (/\.ya?ml$/i.test(file)) return 'yaml';
  if (/\.(service|conf)$/i.test(file) && /^\s*ExecStart\s*=/m.test(text)) return 'systemd';
  if (/^\s*(ExecStart|Environment|EnvironmentFile)\s*=/m.test(text) && /^\s*\[(Service|Unit)\]/m.test(text)) return 'systemd';
  if (/^\s*ExecStart\s*=/m.test(text)) return 'systemd';
  const significant = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !/^\s*[#;]/.test(l));
  if (significant.length > 0 && significant.every((l) => /^\s*(export\s+)?[A-Za-z_][A-Za-z0-9_]*=/.test(l) || /^\s/.test(l))) return 'env';
  try {
    const doc = parseDocument(text);
    if (doc.errors.length === 0 && isMap(doc.contents) && doc.contents.items.length > 0) return 'yaml';
  } catch {
    // not YAML
  }
  if (/(^|\s)--?[a-z][a-z0-9-]*/m.test(text)) return 'flags';
  throw new UsageError(`--config ${file}: cannot tell what kind of etcd configuration this is`, {
    code: 'config-unknown-kind',
    hint: `prefix the path with one of ${KINDS.map((k) => `${k}:`).join(', ')} (e.g. --config env:${file})`,
  });
}

export function parseConfigText(file: string, text: string, kind: ConfigKind = detectKind(file, text)): ConfigSource {
  switch (kind) {
    case 'yaml':
      return parseYamlConfig(file, text);
    case 'env':
      return parseEnvFile(file, text);
    case 'flags':
      return parseFlagList(file, text);
    case 'systemd':
      return parseSystemdUnit(file, text);
  }
}

// ------------------------------------------------------------------ YAML

function scalarText(node: unknown): string | undefined {
  if (node === null || node === undefined) return undefined;
  if (isScalar(node)) return node.value === null ? undefined : String(node.value);
  if (isSeq(node)) return node.items.map((i) => scalarText(i) ?? '').join(',');
  return undefined;
}

export function parseYamlConfig(file: string, text: string): ConfigSource {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new UsageError(`--config ${file}: not valid YAML: ${e.message.split('\n')[0]}`, { code: 'config-invalid' });
  }
  const notes: Finding[] = [];
  const settings: Setting[] = [];
  if (doc.contents === null) return { file, kind: 'yaml', settings, notes };
  if (!isMap(doc.contents)) throw new UsageError(`--config ${file}: an etcd config file must be a YAML mapping of option: value`, { code: 'config-invalid' });
  const lineOf = (n: YamlNode | null | undefined): number | undefined => (n?.range ? lc.linePos(n.range[0]).line : undefined);
  for (const pair of doc.contents.items as Pair<YamlNode, YamlNode>[]) {
    const key = scalarText(pair.key);
    if (key === undefined) continue;
    if (/^(client|peer)-transport-security$/.test(key) && isMap(pair.value)) {
      for (const sub of pair.value.items as Pair<YamlNode, YamlNode>[]) {
        const sk = scalarText(sub.key);
        if (sk === undefined) continue;
        settings.push({ name: `${key}.${sk}`, value: scalarText(sub.value), origin: 'yaml', file, line: lineOf(sub.key), raw: `${key}.${sk}` });
      }
      continue;
    }
    settings.push({ name: key, value: scalarText(pair.value), origin: 'yaml', file, line: lineOf(pair.key), raw: `${key}:` });
  }
  return { file, kind: 'yaml', settings, notes };
}

// ------------------------------------------------------------------ shell-like words

interface Word {
  text: string;
  line: number;
  /** Contained an unquoted or double-quoted $VAR / ${VAR}. */
  hasVar: boolean;
}

/**
 * Split a command line into words with line numbers. Hand-written because a systemd ExecStart= line is
 * not a POSIX shell: it has its own quoting and `\`-newline continuation, and no operators; general
 * shell parsers (shell-quote) would expand or reject things systemd passes through.
 * `\`-newline joins lines; '...' is literal; "..." allows \" \\ escapes; # starts a comment at a word start.
 */
export function splitWords(text: string, firstLine = 1): Word[] {
  const words: Word[] = [];
  let line = firstLine;
  let cur: Word | null = null;
  const start = (): Word => (cur ??= { text: '', line, hasVar: false });
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && text[i + 1] === '\n') {
      i++;
      line++;
      if (cur) {
        words.push(cur);
        cur = null;
      }
      continue;
    }
    if (c === '\\' && text[i + 1] === '\r' && text[i + 2] === '\n') {
      i += 2;
      line++;
      if (cur) {
        words.push(cur);
        cur = null;
      }
      continue;
    }
    if (c === '\n' || c === ' ' || c === '\t' || c === '\r') {
      if (cur) {
        words.push(cur);
        cur = null;
      }
      if (c === '\n') line++;
      continue;
    }
    if (c === '#' && !cur) {
      while (i < text.length && text[i] !== '\n') i++;
      i--;
      continue;
    }
    if (c === "'") {
      const w = start();
      for (i++; i < text.length && text[i] !== "'"; i++) {
        if (text[i] === '\n') line++;
        w.text += text[i];
      }
      continue;
    }
    if (c === '"') {
      const w = start();
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\' || text[i + 1] === '$')) {
          w.text += text[++i];
          continue;
        }
        if (text[i] === '\\' && text[i + 1] === '\n') {
          i++;
          line++;
          continue;
        }
        if (text[i] === '$') w.hasVar = true;
        if (text[i] === '\n') line++;
        w.text += text[i];
      }
      continue;
    }
    if (c === '\\' && i + 1 < text.length) {
      start().text += text[++i];
      continue;
    }
    const w = start();
    if (c === '$') w.hasVar = true;
    w.text += c;
  }
  if (cur) words.push(cur);
  return words;
}

/** Turn words into flag settings: `--a=b`, `-a=b`, `--a b`, bare `--a` (boolean). */
function wordsToSettings(file: string, words: Word[], notes: Finding[]): Setting[] {
  const settings: Setting[] = [];
  let i = 0;
  const noteVar = (w: Word): void => {
    if (w.hasVar) notes.push({ severity: 'info', code: 'config-unresolved', message: `${file}:${w.line}: ${w.text} contains a variable; upshift cannot see its value (lint the file that defines it with --config env:FILE).`, file, line: w.line });
  };
  // Leading words that are not flags: the binary (and wrappers such as `exec` or `/usr/bin/env`).
  while (i < words.length && !words[i]!.text.startsWith('-')) noteVar(words[i++]!);
  for (; i < words.length; i++) {
    const w = words[i]!;
    noteVar(w);
    const m = /^--?([A-Za-z0-9][A-Za-z0-9._-]*)(=(.*))?$/s.exec(w.text);
    if (!m) {
      if (!w.hasVar) {
        notes.push({ severity: 'warning', code: 'config-stray-argument', message: `${file}:${w.line}: "${w.text}" is not a flag; etcd stops with "'${w.text}' is not a valid flag".`, file, line: w.line, source: 'etcd@v3.5.33:server/etcdmain/config.go:344-346' });
      }
      continue;
    }
    const name = m[1]!;
    let value: string | undefined = m[3];
    const next = words[i + 1];
    if (value === undefined && next && !next.text.startsWith('-')) {
      // Go's flag package takes the next word as the value of a non-boolean flag. We do not know every
      // flag's type, so a following word that is not a flag is read as this flag's value.
      value = next.text;
      noteVar(next);
      i++;
    }
    settings.push({ name, value, origin: 'cli', file, line: w.line, raw: `--${name}` });
  }
  return settings;
}

export function parseFlagList(file: string, text: string): ConfigSource {
  const notes: Finding[] = [];
  const settings = wordsToSettings(file, splitWords(text), notes);
  return { file, kind: 'flags', settings, notes };
}

/** Line-based view of a unit file, with `\`-continuations joined and starting line numbers kept. */
function unitLines(text: string): { text: string; line: number }[] {
  const raw = text.split('\n');
  const out: { text: string; line: number }[] = [];
  for (let i = 0; i < raw.length; i++) {
    const startLine = i + 1;
    let l = raw[i]!.replace(/\r$/, '');
    while (l.endsWith('\\') && i + 1 < raw.length) {
      l = l + '\n' + raw[++i]!.replace(/\r$/, '');
    }
    out.push({ text: l, line: startLine });
  }
  return out;
}

export function parseSystemdUnit(file: string, text: string): ConfigSource {
  const notes: Finding[] = [];
  const settings: Setting[] = [];
  let execStarts = 0;
  for (const { text: l, line } of unitLines(text)) {
    const m = /^\s*([A-Za-z]+)\s*=(.*)$/s.exec(l);
    if (!m || /^\s*[#;]/.test(l)) continue;
    const [, key, rawValue] = m;
    if (key === 'ExecStart') {
      let value = rawValue!.trimStart();
      if (value === '') continue; // `ExecStart=` resets the list in drop-ins
      execStarts++;
      // Prefixes systemd allows before the path: - @ : + !
      value = value.replace(/^[-@:+!]+/, '');
      settings.push(...wordsToSettings(file, splitWords(value, line), notes));
    } else if (key === 'Environment') {
      for (const w of splitWords(rawValue!, line)) {
        const em = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(w.text);
        if (em) pushEnv(settings, file, em[1]!, em[2]!, w.line);
      }
    } else if (key === 'EnvironmentFile') {
      notes.push({ severity: 'info', code: 'config-environment-file', message: `${file}:${line}: the unit reads ${rawValue!.trim()}; lint it too with --config env:${rawValue!.trim().replace(/^-/, '')}.`, file, line });
    }
  }
  if (execStarts === 0) notes.push({ severity: 'warning', code: 'config-no-execstart', message: `${file}: no ExecStart= line found; no flags were read from it.`, file });
  if (execStarts > 1) notes.push({ severity: 'info', code: 'config-multiple-execstart', message: `${file}: ${execStarts} ExecStart= lines; flags of all of them were read.`, file });
  return { file, kind: 'systemd', settings, notes };
}

// ------------------------------------------------------------------ environment files

/** ETCD_FOO_BAR -> foo-bar (the inverse of etcd's FlagToEnv, etcd@v3.5.33:pkg/flags/flag.go:68-70). */
export function envToFlag(name: string): string {
  return name.slice('ETCD_'.length).toLowerCase().replace(/_/g, '-');
}

function pushEnv(settings: Setting[], file: string, key: string, value: string, line: number): void {
  if (!key.startsWith('ETCD_') || key.startsWith('ETCDCTL_')) return;
  settings.push({ name: envToFlag(key), value, origin: 'env', file, line, raw: key });
}

/** systemd EnvironmentFile= syntax: KEY=VALUE lines, # or ; comments, quotes, `\` continuations. */
export function parseEnvFile(file: string, text: string): ConfigSource {
  const settings: Setting[] = [];
  const notes: Finding[] = [];
  for (const { text: l, line } of unitLines(text)) {
    if (/^\s*([#;]|$)/.test(l)) continue;
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/s.exec(l);
    if (!m) {
      notes.push({ severity: 'warning', code: 'config-unparsed-line', message: `${file}:${line}: not a KEY=VALUE line; ignored.`, file, line });
      continue;
    }
    const words = splitWords(m[2]!.replace(/\\\n/g, ''), line);
    const value = words.map((w) => w.text).join(' ');
    if (words.some((w) => w.hasVar)) notes.push({ severity: 'info', code: 'config-unresolved', message: `${file}:${line}: ${m[1]} refers to a variable; upshift cannot see its value.`, file, line });
    pushEnv(settings, file, m[1]!, value, line);
  }
  return { file, kind: 'env', settings, notes };
}
