/**
 * The settings an etcd process actually runs with, from its command line: the keys of its `--config-file`
 * when it has one (etcd then ignores the other flags and ETCD_* variables: etcd@v3.5.33
 * server/etcdmain/config.go:360-370), else its flags. Used by readiness checks (--v2-deprecation,
 * --enable-v2) and `status` (deprecated flags in effect).
 */
import { readFile } from 'node:fs/promises';
import { argValue } from '../cluster/args.js';
import { parseYamlConfig } from './config.js';
import type { Setting } from './types.js';

/** `--flag=value` arguments as settings (the form upshift stores member command lines in). */
export function settingsOfFlags(args: readonly string[], file: string): Setting[] {
  return args.flatMap((a): Setting[] => {
    const m = /^--?([^=]+)(?:=(.*))?$/s.exec(a);
    return m ? [{ name: m[1]!, value: m[2], origin: 'cli', file, raw: `--${m[1]}` }] : [];
  });
}

export async function effectiveSettings(args: readonly string[], file: string): Promise<Setting[]> {
  const cf = argValue(args, 'config-file');
  if (cf) return parseYamlConfig(cf, await readFile(cf, 'utf8')).settings;
  return settingsOfFlags(args, file);
}
