/** The binary provider's public surface: install/verify etcd versions from a source. */
export { installVersion, alreadyInstalled, verifyInstalled } from './install.js';
export type { InstallReport, InstallOptions, InstallAction } from './install.js';
export { makeSource, parseSourceSpec, sourcesToList } from './sources/resolve.js';
export type { SourceSpec, SourceSettings } from './sources/resolve.js';
export { GithubSource, DEFAULT_GITHUB_BASE } from './sources/github.js';
export { DebianSource } from './sources/debian.js';
export { DirSource } from './sources/dir.js';
export { GoSource } from './sources/go.js';
export { AutoSource } from './sources/auto.js';
export type { BinarySource, AvailableReport, FetchedBinaries, OfferedVersion, SourceContext } from './sources/source.js';
