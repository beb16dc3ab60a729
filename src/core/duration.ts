/** Durations as etcdctl and Go write them: "500ms", "5s", "2m", "1h30m", "7d" (d and w are upshift's). */
import { UsageError } from './errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function parseDuration(input: string, what = 'duration'): number {
  const s = input.trim();
  if (/^\d+(\.\d+)?$/.test(s)) {
    // A bare number is seconds, as etcdctl's timeouts accept.
    return Math.round(Number(s) * 1000);
  }
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;
  let total = 0;
  let consumed = 0;
  for (const m of s.matchAll(re)) {
    if (m.index !== consumed) break;
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    consumed += m[0].length;
  }
  if (consumed !== s.length || s.length === 0) {
    throw new UsageError(`${what}: cannot read "${input}" as a duration`, { hint: 'write it like 500ms, 5s, 2m, 1h30m or 7d' });
  }
  return Math.round(total);
}
