/**
 * A seeded random source for faults: the same seed gives the same sequence of dice, so a fault schedule
 * and a seed give the same timeline (schedule.ts) and every proxy rolls the same sequence per rule.
 * sfc32 (Chris Doty-Humphrey's Small Fast Counter, public domain), seeded through a string hash so each
 * named use (`seed/f1/abort`) gets its own independent stream. Math.random() is never used for a fault.
 */

/** cyrb128: a 128-bit string hash (public domain) used only to spread a seed string over sfc32's state. */
function cyrb128(s: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < s.length; i++) {
    const k = s.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  return [(h1 ^ h2 ^ h3 ^ h4) >>> 0, (h2 ^ h1) >>> 0, (h3 ^ h1) >>> 0, (h4 ^ h1) >>> 0];
}

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** An independent stream named `label` (same seed + label = same stream). */
  fork(label: string): Rng;
}

export function seededRng(seed: string | number): Rng {
  const key = String(seed);
  let [a, b, c, d] = cyrb128(key);
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // Discard the first outputs: sfc32's state needs a few rounds to mix.
  for (let i = 0; i < 12; i++) next();
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => p >= 1 || (p > 0 && next() < p),
    fork: (label) => seededRng(`${key}/${label}`),
  };
}

/** A duration drawn from base ± jitter (uniform), never negative. */
export function jittered(rng: Rng, baseMs: number, jitterMs: number): number {
  if (jitterMs <= 0) return baseMs;
  return Math.max(0, baseMs + (rng.next() * 2 - 1) * jitterMs);
}
