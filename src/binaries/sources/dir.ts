/** The `dir:PATH` source: binaries the user already has. Their version is what `etcd --version` says. */
import { join, resolve } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { UsageError, errorMessage } from '../../core/errors.js';
import { BINARY_NAMES, reportedVersion } from '../probe.js';
import type { BinaryName } from '../layout.js';
import { unknownVersion, type AvailableReport, type BinarySource, type FetchedBinaries, type SourceContext } from './source.js';

export class DirSource implements BinarySource {
  readonly name: string;
  readonly dir: string;
  constructor(path: string) {
    this.dir = resolve(path);
    this.name = `dir:${this.dir}`;
  }

  private present(): Partial<Record<BinaryName, string>> {
    if (!existsSync(this.dir) || !statSync(this.dir).isDirectory()) {
      throw new UsageError(`--source dir:${this.dir}: no such directory`, { hint: 'give the directory holding etcd and etcdctl' });
    }
    const out: Partial<Record<BinaryName, string>> = {};
    for (const b of BINARY_NAMES) if (existsSync(join(this.dir, b))) out[b] = join(this.dir, b);
    if (!out.etcd || !out.etcdctl) {
      throw new UsageError(`--source dir:${this.dir}: etcd and etcdctl are both required there`, { hint: 'point at the directory of an etcd release' });
    }
    return out;
  }

  /** The version the directory holds. */
  async version(): Promise<string> {
    return reportedVersion(this.present().etcd!, 'etcd');
  }

  async fetch(version: string, workDir: string, _ctx: SourceContext): Promise<FetchedBinaries> {
    const present = this.present();
    const actual = await reportedVersion(present.etcd!, 'etcd');
    if (actual !== version) throw unknownVersion(this.name, version, [actual], this.dir);
    const files: Partial<Record<BinaryName, string>> = {};
    const origins: Partial<Record<BinaryName, string>> = {};
    for (const [b, p] of Object.entries(present) as [BinaryName, string][]) {
      // Copied, so later changes in PATH cannot alter what the manifest vouches for.
      files[b] = join(workDir, `src-${b}`);
      await copyFile(p, files[b]!);
      origins[b] = p;
    }
    return { source: this.name, files, origins, detail: { dir: this.dir } };
  }

  async available(_ctx: SourceContext): Promise<AvailableReport> {
    const report: AvailableReport = { source: this.name, origin: this.dir, reachable: false, versions: [] };
    try {
      report.versions = [{ version: await this.version(), detail: this.dir }];
      report.reachable = true;
    } catch (e) {
      report.error = errorMessage(e);
    }
    return report;
  }
}
