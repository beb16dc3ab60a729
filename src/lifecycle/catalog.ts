/**
 * The importance map: which services matter. Two shapes are read:
 *   - upshift's own: `services: {NAME: {tier, owner, lifecycle, importance, dependsOn}}`;
 *   - Backstage catalog entities (multi-document YAML, `kind: Component|Resource|System`,
 *     `metadata.name`, `spec.lifecycle` in {experimental, production, deprecated}, `spec.owner`,
 *     `spec.dependsOn: [resource:etcd]`; the tier from `spec.tier`, `metadata.labels.tier` or the
 *     `upshift.io/tier` annotation) — governance.md §5.
 * Importance: an explicit `importance` wins; else tier 1-2 (S1, S2, critical, high) is high and 3-4 low;
 * else lifecycle production is high, experimental/deprecated low; anything else is unknown.
 */
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { UsageError } from '../core/errors.js';
import type { Importance } from './classify.js';

export interface CatalogEntry {
  name: string;
  tier?: string | undefined;
  owner?: string | undefined;
  lifecycle?: string | undefined;
  importance: Importance;
  importanceBy: string;
  /** Declared dependencies (entity names without kind prefixes). */
  dependsOn: string[];
  retired: boolean;
}

export type Catalog = Map<string, CatalogEntry>;

const Scalar = z.union([z.string(), z.number()]).transform(String);
const OwnService = z.object({
  tier: Scalar.optional(),
  owner: z.string().optional(),
  lifecycle: z.string().optional(),
  importance: z.enum(['high', 'low']).optional(),
  dependsOn: z.array(z.string()).optional(),
  retired: z.boolean().optional(),
});
const OwnCatalog = z.object({ services: z.record(z.string(), OwnService) });
const Entity = z.object({
  kind: z.string(),
  metadata: z.object({ name: z.string(), labels: z.record(z.string(), Scalar).optional(), annotations: z.record(z.string(), Scalar).optional() }),
  spec: z
    .object({
      lifecycle: z.string().optional(),
      owner: z.string().optional(),
      tier: Scalar.optional(),
      dependsOn: z.array(z.string()).optional(),
    })
    .passthrough()
    .optional(),
});

export function importanceOf(e: { tier?: string | undefined; lifecycle?: string | undefined; importance?: 'high' | 'low' | undefined }): { importance: Importance; by: string } {
  if (e.importance) return { importance: e.importance, by: `importance: ${e.importance}` };
  if (e.tier !== undefined) {
    const t = e.tier.trim().toLowerCase();
    if (/^(s?[12]|tier-?[12]|critical|high)$/.test(t)) return { importance: 'high', by: `tier ${e.tier}` };
    if (/^(s?[345]|tier-?[345]|low|best-effort)$/.test(t)) return { importance: 'low', by: `tier ${e.tier}` };
  }
  if (e.lifecycle) {
    const l = e.lifecycle.toLowerCase();
    if (l === 'production') return { importance: 'high', by: 'lifecycle production' };
    if (l === 'experimental' || l === 'deprecated') return { importance: 'low', by: `lifecycle ${l}` };
  }
  return { importance: 'unknown', by: 'no tier or lifecycle' };
}

const stripKind = (ref: string): string => ref.replace(/^[a-z]+:/i, '').replace(/^[^/]+\//, '');

export function parseCatalog(text: string, where: string): Catalog {
  const docs = parseAllDocuments(text);
  const catalog: Catalog = new Map();
  for (const [i, d] of docs.entries()) {
    if (d.errors.length) throw new UsageError(`${where}: not YAML (${d.errors[0]!.message})`);
    const v = d.toJS() as unknown;
    if (v === null || v === undefined) continue;
    const own = OwnCatalog.safeParse(v);
    if (own.success) {
      for (const [name, s] of Object.entries(own.data.services)) {
        const imp = importanceOf(s);
        catalog.set(name, { name, tier: s.tier, owner: s.owner, lifecycle: s.lifecycle, importance: imp.importance, importanceBy: `${where}: ${imp.by}`, dependsOn: (s.dependsOn ?? []).map(stripKind), retired: s.retired === true });
      }
      continue;
    }
    const ent = Entity.safeParse(v);
    if (!ent.success) {
      const issue = own.error.issues[0]!;
      throw new UsageError(`${where}: document ${i + 1} is neither an upshift catalog (services: ...) nor a Backstage entity (kind, metadata.name): ${issue.path.join('.') || '(top)'}: ${issue.message}`, { hint: 'see README "upshift lifecycle" for the catalog format' });
    }
    const e = ent.data;
    const tier = e.spec?.tier ?? e.metadata.labels?.tier ?? e.metadata.annotations?.['upshift.io/tier'];
    const imp = importanceOf({ tier, lifecycle: e.spec?.lifecycle });
    const name = e.metadata.name;
    const prev = catalog.get(name);
    catalog.set(name, {
      name,
      tier,
      owner: e.spec?.owner,
      lifecycle: e.spec?.lifecycle,
      importance: prev && prev.importance !== 'unknown' ? prev.importance : imp.importance,
      importanceBy: prev && prev.importance !== 'unknown' ? prev.importanceBy : `${where}: ${e.kind} ${imp.by}`,
      dependsOn: [...(prev?.dependsOn ?? []), ...(e.spec?.dependsOn ?? []).map(stripKind)],
      retired: false,
    });
  }
  return catalog;
}

export async function readCatalog(path: string): Promise<Catalog> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`--catalog ${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseCatalog(text, path);
}
