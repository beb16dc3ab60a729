/**
 * Which versions the demo upgrades between: the oldest and newest release the machine can get, and for each
 * minor in between the newest patch it can get (the planner's default path names the latest upstream patch,
 * which a mirror may not carry). Patch floors (e.g. 3.5.32 before 3.6) are honoured the way users must: a
 * start below its line's floor first moves to the newest patch of its line that can be had, and an
 * intermediate patch below a floor is refused. Pure (the floors are the knowledge base's data), so the
 * choice is unit-tested.
 */
import semver from 'semver';
import { UsageError } from '../core/errors.js';
import { patchFloor } from '../knowledge/index.js';

export interface DemoVersions {
  from: string;
  to: string;
  /** Intermediate versions, one per skipped minor (pinned with --via). */
  via: string[];
}

const minorOf = (v: string): string => `${semver.major(v)}.${semver.minor(v)}`;

export function chooseDemoVersions(candidates: readonly string[], pinned: { from?: string | undefined; to?: string | undefined } = {}): DemoVersions {
  // Releases only: a pre-release (3.7.0-rc.0) is not what a user runs in production.
  const all = [...new Set(candidates.filter((v) => semver.valid(v) && !semver.prerelease(v)))].sort(semver.compare);
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
  const newestOf = (m: string): string | undefined => all.filter((v) => minorOf(v) === m).pop();
  const nextOf = (m: string): string => `${semver.major(from)}.${semver.minor(`${m}.0`) + 1}`;
  // The start's own line: below the floor before the next minor, first move to its newest patch.
  const fromFloor = minorOf(from) !== minorOf(to) ? patchFloor(minorOf(from), nextOf(minorOf(from))) : undefined;
  if (fromFloor && semver.lt(from, fromFloor.minimum)) {
    const up = newestOf(minorOf(from));
    if (!up || semver.lt(up, fromFloor.minimum)) {
      throw new UsageError(`upgrading ${from} -> ${to} needs ${minorOf(from)}.x >= ${fromFloor.minimum} before ${nextOf(minorOf(from))}, and none can be had here`, {
        hint: `install one (upshift etcd install ${fromFloor.minimum} --source go) or start at --from ${fromFloor.minimum}`,
      });
    }
    via.push(up);
  }
  for (let minor = semver.minor(from) + 1; minor < semver.minor(to); minor++) {
    const m = `${semver.major(from)}.${minor}`;
    const newest = newestOf(m);
    if (!newest) {
      throw new UsageError(`upgrading ${from} -> ${to} passes through ${m}, and no ${m}.x can be had here`, { hint: `install one (upshift etcd install ${m}.N) or pick --from/--to one minor apart` });
    }
    const floor = patchFloor(m, nextOf(m));
    if (floor && semver.lt(newest, floor.minimum)) {
      throw new UsageError(`upgrading ${from} -> ${to} needs ${m}.x >= ${floor.minimum} before ${nextOf(m)}, and the newest ${m} here is ${newest}`, {
        hint: `install a newer ${m} (e.g. upshift etcd install ${floor.minimum} --source go) or pick --from/--to within reach`,
      });
    }
    via.push(newest);
  }
  return { from, to, via };
}
