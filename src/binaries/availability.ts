/**
 * What the binary sources offer, for a plan that needs versions not installed here: each source's own
 * `available()` (github, debian, dir:PATH, and any source added to `sourcesToList` later), asked in
 * parallel with their deadlines. A source that cannot be asked is reported with its error, never dropped:
 * "nobody has it" and "we could not ask" are different answers.
 */
import { errorMessage } from '../core/errors.js';
import type { BinarySource, SourceContext } from './sources/source.js';

/** One binary source as it answered: what it offers, or why it could not be asked. */
export interface SourceOffer {
  source: string;
  origin: string;
  reachable: boolean;
  versions: string[];
  error?: string | undefined;
}

export async function sourceOffers(sources: readonly BinarySource[], ctx: SourceContext): Promise<SourceOffer[]> {
  return Promise.all(
    sources.map(async (s): Promise<SourceOffer> => {
      try {
        const r = await s.available(ctx);
        return { source: r.source, origin: r.origin, reachable: r.reachable, versions: r.versions.map((v) => v.version), ...(r.error ? { error: r.error } : {}) };
      } catch (e) {
        return { source: s.name, origin: '', reachable: false, versions: [], error: errorMessage(e) };
      }
    }),
  );
}
