/**
 * The `exec` driver: shell command templates per SPEC ("upgrade"), so systemd, SSH or any deployment
 * can be driven:
 *
 *   stop: "ssh {{member}} sudo systemctl stop etcd"
 *   install: "scp {{binDir}}/etcd {{member}}:/tmp/ && ..."
 *   start: "ssh {{member}} sudo systemctl start etcd"
 *   members: { infra1: { stop: "...", start: "..." } }
 *
 * Optional, for a rollback that must replace a member as a fresh one (the old binary cannot open the data
 * the new one left): `reset` moves the member's data dir aside (never delete it) and `join` starts it with
 * an empty data dir and `--initial-cluster-state existing --initial-cluster {{initialCluster}}`. Without
 * them such a rollback stops with instructions. `config` (or members.<name>.config) names the etcd
 * configuration the start command uses (YAML, flag list, systemd unit or ETCD_* env file, as for
 * `upshift plan --config`): its flags are checked against each hop, and the dry run lists what to change.
 * `check` (optional) runs the v2 content check before a 3.5 -> 3.6 hop on the member's host, e.g.
 * `ssh {{member}} etcdutl check v2store --data-dir /var/lib/etcd` (etcdutl 3.5.32+; {{version}} and
 * {{binDir}} name the 3.5 release the member runs when the hop starts); exit 0 means no custom v2 content.
 *
 * Template variables: {{member}} {{version}} {{binDir}} {{clientURL}} {{peerURL}} ({{initialCluster}} in join). Values are
 * substituted shell-quoted when they hold anything but plain characters, and are also exported as
 * UPSHIFT_MEMBER, UPSHIFT_VERSION, UPSHIFT_BIN_DIR, UPSHIFT_CLIENT_URL, UPSHIFT_PEER_URL. A non-zero
 * exit, a signal or the deadline is a failed step. Commands run in their own process group, which is
 * killed on the deadline. Output is captured (tails, redacted) for the journal.
 */
import { runProcessGroup, type GroupRun } from '../../core/subprocess.js';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UsageError } from '../../core/errors.js';
import { readInputFile } from '../../core/files.js';
import { parseDuration } from '../../core/duration.js';
import { homePaths } from '../../core/home.js';
import { DriverStepError, type DriverCallOptions, type DriverMember, type DriverResult, type FreshStartOptions, type MemberOps, type StartOptions, type StopOptions } from './types.js';
import { redact, secretValues, tail } from './redact.js';
import { readConfigFile } from '../../plan/config.js';
import type { Setting } from '../../plan/types.js';

export const TEMPLATE_VARS = ['member', 'version', 'binDir', 'clientURL', 'peerURL', 'initialCluster'] as const;
export type TemplateVar = (typeof TEMPLATE_VARS)[number];
export type Verb = 'stop' | 'install' | 'start' | 'reset' | 'join' | 'check';
const VERBS: readonly Verb[] = ['stop', 'install', 'start', 'reset', 'join', 'check'];
/** Variables a verb may use: {{initialCluster}} only means something when a member joins. */
const VARS_OF = (verb: Verb): readonly string[] => (verb === 'join' ? TEMPLATE_VARS : TEMPLATE_VARS.filter((v) => v !== 'initialCluster'));

const template = z.string().trim().min(1, 'must be a non-empty command');
const duration = z.union([z.string(), z.number()]);

export const execConfigSchema = z.strictObject({
  stop: template,
  install: template,
  start: template,
  reset: template.optional(),
  join: template.optional(),
  /** Readiness before 3.6: runs the v2 content check on the member's host (exit 0 = no custom v2 content). */
  check: template.optional(),
  /** The etcd configuration file(s) the start command uses, for the flag checks. */
  config: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
  members: z
    .record(
      z.string(),
      z.strictObject({ stop: template.optional(), install: template.optional(), start: template.optional(), reset: template.optional(), join: template.optional(), check: template.optional(), config: z.union([z.string().min(1), z.array(z.string().min(1))]).optional() }),
    )
    .optional(),
  /** Per-verb deadlines, e.g. { stop: 60s, install: 5m, start: 60s }. */
  timeouts: z.strictObject({ stop: duration.optional(), install: duration.optional(), start: duration.optional(), reset: duration.optional(), join: duration.optional(), check: duration.optional() }).optional(),
  /** Extra environment for the commands (not for secrets: put those in the caller's environment). */
  env: z.record(z.string(), z.string()).optional(),
  shell: z.string().optional(),
});

export type ExecConfigInput = z.infer<typeof execConfigSchema>;

export interface ExecConfig {
  templates: Record<'stop' | 'install' | 'start', string> & Partial<Record<'reset' | 'join' | 'check', string>>;
  members: Record<string, Partial<Record<Verb, string>>>;
  /** etcd configuration files per member name ('*' = every member), paths as given. */
  configs: Record<string, string[]>;
  timeoutsMs: Record<Verb, number>;
  env: Record<string, string>;
  shell: string;
  source: string;
}

const DEFAULT_TIMEOUTS: Record<Verb, number> = { stop: 60_000, install: 300_000, start: 120_000, reset: 60_000, join: 120_000, check: 120_000 };

function configError(source: string, path: string, what: string): UsageError {
  return new UsageError(`--driver-config ${source}: ${path}: ${what}`, {
    code: 'driver-config-invalid',
    hint: 'required: stop, install, start (shell templates); optional: reset, join, check, config, members.<name>.{stop,install,start,reset,join,check,config}, timeouts.{stop,install,start,reset,join,check}, env, shell; variables: ' + TEMPLATE_VARS.map((v) => `{{${v}}}`).join(' ') + ' ({{initialCluster}} in join only)',
  });
}

/** Check every {{var}} of a template; returns the dotted path of the first unknown one. */
function checkTemplate(t: string, source: string, path: string, verb: Verb): void {
  for (const m of t.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
    if (!VARS_OF(verb).includes(m[1]!)) throw configError(source, path, m[1] === 'initialCluster' ? '{{initialCluster}} is only known to the join command' : `unknown template variable {{${m[1]}}}`);
  }
  if (/\{\{(?![^}]*\}\})/.test(t)) throw configError(source, path, 'unclosed "{{"');
}

/** Validate a parsed config object (dotted-path errors, exit 2). */
export function parseExecConfig(raw: unknown, source = 'driver config'): ExecConfig {
  const r = execConfigSchema.safeParse(raw ?? {});
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const path = issue.path.map(String).join('.') || '(top level)';
    const what = issue.code === 'unrecognized_keys' ? `unknown key(s) ${(issue as { keys: string[] }).keys.join(', ')}` : issue.message;
    throw configError(source, path, what);
  }
  const c = r.data;
  for (const verb of VERBS) if (c[verb]) checkTemplate(c[verb]!, source, verb, verb);
  for (const [name, o] of Object.entries(c.members ?? {})) {
    for (const verb of VERBS) if (o[verb]) checkTemplate(o[verb]!, source, `members.${name}.${verb}`, verb);
  }
  // reset and join go together: moving the data aside without a way to start empty would leave the member down.
  const hasReset = (o: { reset?: string | undefined }): boolean => Boolean(o.reset ?? c.reset);
  const hasJoin = (o: { join?: string | undefined }): boolean => Boolean(o.join ?? c.join);
  for (const [path, o] of [['(top level)', {}] as const, ...Object.entries(c.members ?? {}).map(([n, o]) => [`members.${n}`, o] as const)]) {
    if (hasReset(o) !== hasJoin(o)) throw configError(source, path, `${hasReset(o) ? 'reset' : 'join'} needs ${hasReset(o) ? 'join' : 'reset'} too (replacing a member moves its data aside, then starts it empty)`);
  }
  const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  const configs: Record<string, string[]> = {};
  if (c.config !== undefined) configs['*'] = list(c.config);
  for (const [name, o] of Object.entries(c.members ?? {})) if (o.config !== undefined) configs[name] = list(o.config);
  const timeoutsMs = { ...DEFAULT_TIMEOUTS };
  for (const verb of VERBS) {
    const v = c.timeouts?.[verb];
    if (v === undefined) continue;
    try {
      timeoutsMs[verb] = typeof v === 'number' ? v * 1000 : parseDuration(v, `timeouts.${verb}`);
    } catch {
      throw configError(source, `timeouts.${verb}`, `cannot read ${JSON.stringify(v)} as a duration (e.g. 90s, 5m)`);
    }
    if (timeoutsMs[verb] <= 0) throw configError(source, `timeouts.${verb}`, 'must be positive');
  }
  const members: Record<string, Partial<Record<Verb, string>>> = {};
  for (const [name, o] of Object.entries(c.members ?? {})) {
    const { config: _config, ...templates } = o;
    members[name] = templates;
  }
  return { templates: { stop: c.stop, install: c.install, start: c.start, ...(c.reset ? { reset: c.reset } : {}), ...(c.join ? { join: c.join } : {}), ...(c.check ? { check: c.check } : {}) }, members, configs, timeoutsMs, env: c.env ?? {}, shell: c.shell ?? '/bin/sh', source };
}

export async function loadExecConfig(file: string): Promise<ExecConfig> {
  const text = await readInputFile(file, '--driver-config', { code: 'driver-config-unreadable', hint: 'pass the path of the exec driver YAML (stop/install/start templates)' });
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw configError(file, '(yaml)', (e as Error).message.split('\n')[0]!);
  }
  return parseExecConfig(raw, file);
}

/** Quote for POSIX sh unless the value is made of plain characters only. */
export function shellQuote(v: string): string {
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(v)) return v;
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

export function renderTemplate(t: string, vars: Partial<Record<TemplateVar, string>>): string {
  return t.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (_, name: string) => shellQuote(vars[name as TemplateVar] ?? ''));
}

export interface ExecDriverOptions {
  home: string;
  env?: NodeJS.ProcessEnv;
}

export class ExecDriver implements MemberOps {
  readonly kind = 'exec';
  private readonly secrets: string[];
  constructor(
    readonly config: ExecConfig,
    private readonly opts: ExecDriverOptions,
  ) {
    this.secrets = secretValues(opts.env ?? process.env);
  }

  templateFor(verb: Verb, member: string): string {
    const t = this.config.members[member]?.[verb] ?? this.config.templates[verb as 'stop'];
    if (t === undefined) {
      throw new DriverStepError(`${verb} ${member}: ${this.config.source} has no ${verb} command`, { durationMs: 0 }, { hint: 'add reset and join templates to let a rollback replace a member as a fresh one (see SPEC "upgrade")' });
    }
    return t;
  }

  /** Can a member be replaced as a fresh one (reset and join templates present)? */
  canReplace(member: string): boolean {
    const o = this.config.members[member];
    return Boolean((o?.reset ?? this.config.templates.reset) && (o?.join ?? this.config.templates.join));
  }

  /** The etcd configuration files the config names for a member (its own, else the common ones). */
  configsFor(member: string): string[] {
    return this.config.configs[member] ?? this.config.configs['*'] ?? [];
  }

  command(verb: Verb, member: DriverMember, version: string, initialCluster = ''): string {
    return renderTemplate(this.templateFor(verb, member.name), this.vars(member, version, initialCluster));
  }

  private vars(member: DriverMember, version: string, initialCluster = ''): Record<TemplateVar, string> {
    return { member: member.name, version, binDir: homePaths.etcdVersionDir(this.opts.home, version), clientURL: member.clientURL, peerURL: member.peerURL, initialCluster };
  }

  stop(member: DriverMember, opts: StopOptions): Promise<DriverResult> {
    return this.run('stop', member, opts.version, opts);
  }
  install(member: DriverMember, version: string, opts: DriverCallOptions): Promise<DriverResult> {
    return this.run('install', member, version, opts);
  }
  start(member: DriverMember, opts: StartOptions): Promise<DriverResult> {
    return this.run('start', member, opts.version, opts);
  }
  moveDataAside(member: DriverMember, opts: DriverCallOptions & { version: string }): Promise<DriverResult> {
    return this.run('reset', member, opts.version, opts);
  }
  startFresh(member: DriverMember, opts: FreshStartOptions): Promise<DriverResult> {
    return this.run('join', member, opts.version, opts, opts.initialCluster);
  }

  /** The readiness v2 content check (`check` template), when the config has one; a non-zero exit is the check's verdict, not an error. */
  async checkV2(member: DriverMember, version: string, opts: DriverCallOptions): Promise<(DriverResult & { exitCode: number }) | undefined> {
    if (!this.canCheck(member.name)) return undefined;
    const { result, r } = await this.exec('check', member, version, opts);
    if (r.code === null) throw new DriverStepError(`check ${member.name}: \`${result.command}\` was killed by ${r.signal}`, result);
    return { ...result, exitCode: r.code };
  }

  /** Does the config have a `check` template for the member? */
  canCheck(member: string): boolean {
    return Boolean(this.config.members[member]?.check ?? this.config.templates.check);
  }

  /** The settings of the configuration files the config names for the member (for readiness: --v2-deprecation, --enable-v2). */
  async memberSettings(member: string): Promise<Setting[]> {
    const out: Setting[] = [];
    for (const f of this.configsFor(member)) out.push(...(await readConfigFile(f)).settings);
    return out;
  }

  private async run(verb: Verb, member: DriverMember, version: string, opts: DriverCallOptions, initialCluster = ''): Promise<DriverResult> {
    const { result, r } = await this.exec(verb, member, version, opts, initialCluster);
    if (r.code !== 0) {
      const how = r.signal ? `was killed by ${r.signal}` : `exited with ${r.code}`;
      const last = result.stderr?.trim().split('\n').pop();
      throw new DriverStepError(`${verb} ${member.name}: \`${result.command}\` ${how}${last ? `: ${last}` : ''}`, result);
    }
    return result;
  }

  /** Run a template; a deadline or an interrupt throws, an exit status is returned. */
  private async exec(verb: Verb, member: DriverMember, version: string, opts: DriverCallOptions, initialCluster = ''): Promise<{ result: DriverResult; r: ShellRun }> {
    const vars = this.vars(member, version, initialCluster);
    const command = renderTemplate(this.templateFor(verb, member.name), vars);
    const deadlineMs = Math.min(opts.deadlineMs, this.config.timeoutsMs[verb]);
    const env: NodeJS.ProcessEnv = {
      ...(this.opts.env ?? process.env),
      ...this.config.env,
      UPSHIFT_MEMBER: vars.member,
      UPSHIFT_VERSION: vars.version,
      UPSHIFT_BIN_DIR: vars.binDir,
      UPSHIFT_CLIENT_URL: vars.clientURL,
      UPSHIFT_PEER_URL: vars.peerURL,
      ...(verb === 'join' ? { UPSHIFT_INITIAL_CLUSTER: initialCluster } : {}),
    };
    const r = await runShell(this.config.shell, command, env, deadlineMs, opts.signal);
    const result: DriverResult = {
      durationMs: r.durationMs,
      command: redact(command, this.secrets),
      stdout: redact(tail(r.stdout), this.secrets),
      stderr: redact(tail(r.stderr), this.secrets),
    };
    if (r.timedOut) throw new DriverStepError(`${verb} ${member.name}: the command did not finish within ${deadlineMs} ms (killed)`, result, { hint: `raise timeouts.${verb} in ${this.config.source}` });
    if (r.aborted) throw new DriverStepError(`${verb} ${member.name}: interrupted`, result);
    return { result, r };
  }
}

type ShellRun = GroupRun;

/** Run `sh -c command` in its own process group; kill the group (TERM, then KILL) on deadline or abort. */
export function runShell(shell: string, command: string, env: NodeJS.ProcessEnv, deadlineMs: number, signal?: AbortSignal): Promise<ShellRun> {
  return runProcessGroup(shell, ['-c', command], { env, deadlineMs, signal });
}
