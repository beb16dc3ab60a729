/** upshift's version as recorded in manifests (kept in step with package.json by the release). */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function readVersion(): string {
  for (const p of ['../../package.json', '../../../package.json']) {
    try {
      const v = (require(p) as { name?: string; version?: string });
      if (v.name === 'upshift' && v.version) return v.version;
    } catch {
      // try the next layout (src/ under tsx, dist/ when built)
    }
  }
  return '0.0.0';
}

export const UPSHIFT_VERSION = readVersion();
