/**
 * Which release catalogue the lookups in ./index.ts answer from. By default the shipped data; a command
 * runs inside `withCatalog(catalog, fn)` with the shipped data merged with what `upshift knowledge
 * update` learned into its UPSHIFT_HOME. AsyncLocalStorage scopes it to that call (and everything it
 * awaits), so the lookups stay synchronous and pure for their callers, and two commands run in one
 * process (tests, the library) with different homes do not see each other's catalogue.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { buildCatalog, type LearnedKnowledge, type ReleaseCatalog } from './catalog.js';
import { preReleases, releaseLines, shippedEdition } from './data/releases.js';

const scope = new AsyncLocalStorage<ReleaseCatalog>();
let shipped: ReleaseCatalog | undefined;

/** The catalogue of the shipped data alone. */
export function shippedCatalog(): ReleaseCatalog {
  shipped ??= buildCatalog(releaseLines, shippedEdition, preReleases);
  return shipped;
}

/** The shipped data merged with learned releases (the shipped catalogue when nothing was learned). */
export function catalogWith(learned: LearnedKnowledge | undefined): ReleaseCatalog {
  return learned ? buildCatalog(releaseLines, shippedEdition, preReleases, learned) : shippedCatalog();
}

/** The catalogue in effect for the current call. */
export function activeCatalog(): ReleaseCatalog {
  return scope.getStore() ?? shippedCatalog();
}

/** Run `fn` (and everything it awaits) with `catalog` in effect. */
export function withCatalog<T>(catalog: ReleaseCatalog, fn: () => T): T {
  return scope.run(catalog, fn);
}
