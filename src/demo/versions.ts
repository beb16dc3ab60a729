/**
 * Which versions the demo upgrades between: the oldest and newest the machine can get, and for each minor
 * in between the newest patch it can get (the planner's default path names the latest upstream patch,
 * which a mirror may not carry). Pure, so the choice is unit-tested.
 */
import semver from 'semver';
import { UsageError } from '../core/errors.js';

export interface DemoVersions {
  from: string;
  to: string;
  /** Intermediate versions, one per skipped minor (pinned with --via). */
  via: string[];
}

const minorOf = (v: string): string => `${semver.major(v)}.${semver.minor(v)}`;

export function chooseDemoVersions(candidates: readonly string[], pinned: { from?: string | undefined; to?: string | undefined } = {}): DemoVersions {
  const all = [...new Set(candidates.filter((v) => semver.valid(v)))].sort(semver.compare);
  if (all.length < 2 && !(pinned.from && pinned.to)) {
    throw new UsageError(`the demo needs two etcd versions, and only ${all.length ? all.join(', ') : 'none'} can be had here`, {
      hint: 'install two with `upshift etcd install V1 V2 --source dir:PATH`, or pass --from and --to',
    });
  }
  const from = pinned.from ?? all[0]!;
  const to = pinned.to ?? all[all.length - 1]!;
  for (const [flag, v] of [['--from', from], ['--to', to]] as const) {
    if (!semver.valid(v)) throw new UsageError(`${flag}: "${v}" is not an etcd version`, { hint: 'e.g. --from 3.4.23 --to 3.5.30' });
  }
  if (!semver.lt(from, to)) throw new UsageError(`--from ${from} must be older than --to ${to}`, { hint: 'the demo upgrades; `upshift plan` explains downgrades' });
  const via: string[] = [];
  for (let minor = semver.minor(from) + 1; minor < semver.minor(to); minor++) {
    const m = `${semver.major(from)}.${minor}`;
    const newest = all.filter((v) => minorOf(v) === m).pop();
    if (!newest) {
      throw new UsageError(`upgrading ${from} -> ${to} passes through ${m}, and no ${m}.x can be had here`, { hint: `install one (upshift etcd install ${m}.N) or pick --from/--to one minor apart` });
    }
    via.push(newest);
  }
  return { from, to, via };
}
