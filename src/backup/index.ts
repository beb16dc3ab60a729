/** Backups: snapshot save/verify/catalogue/prune, the bbolt reader, restore and cross-member consistency. */
export { BoltFile, BoltError, fnv1a64, type BoltMeta } from './bbolt.js';
export { readSnapshotDbInfo, type SnapshotDbInfo } from './snapshot-db.js';
export { inspectSnapshot, SnapshotHasher, hasTrailerSize, type SnapshotInspection, type SnapshotProblem, type ProblemCode } from './integrity.js';
export { readManifest, writeManifest, readCatalogue, manifestPathFor, type BackupManifest, type CatalogueEntry } from './manifest.js';
export { planPrune, type PrunePlan, type PrunePolicy, type PruneCandidate } from './prune.js';
export { verifyBackup, type BackupReport } from './verify.js';
export { discoverTarget, saveSnapshot, type SaveOptions, type SaveResult, type SaveTarget } from './save.js';
export { openSnapshotStream, SnapshotBodyDecoder, type SnapshotReceiver, type SnapshotEnd } from '../client/snapshot-stream.js';
export { checkSnapshotForRestore, restoreToLocalCluster, restoreMemberDataDir, type LocalRestoreResult, type MemberRestoreResult } from '../restore/restore.js';
export { judgeRestore, chooseRestoreVersion, parseInitialCluster } from '../restore/plan.js';
export { checkConsistency, judge as judgeConsistency, type ConsistencyReport } from '../check/consistency.js';
export { readRemoteCatalogue, fetchRemoteBackup, uploadManifest, type RemoteEntry, type RemoteCatalogue } from './remote.js';
export { periodOf, type GfsCounts } from './prune.js';
export { ObjectStore } from '../s3/store.js';
export { StreamingUpload, type UploadOutcome } from '../s3/upload.js';
export { resolveS3Settings, type S3Settings, type S3Flags } from '../s3/options.js';
export { parseS3Location, parseS3Object, type S3Location } from '../s3/url.js';
