/** The S3 flags of every backup command that can use an object store (AWS CLI names where it has them). */
import type { Command } from 'commander';

export function withS3Options<T extends Command>(cmd: T, opts: { writes?: boolean } = {}): T {
  cmd
    .option('--s3-endpoint <url>', 'S3-compatible endpoint (env AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL; default AWS)')
    .option('--s3-region <region>', 'region (env AWS_REGION, AWS_DEFAULT_REGION, the profile; us-east-1 with a custom endpoint)')
    .option('--s3-profile <name>', 'shared config/credentials profile (env AWS_PROFILE)')
    .option('--s3-addressing-style <style>', 'auto|path|virtual (auto: path style for a custom endpoint)')
    .option('--s3-ca-bundle <file>', 'PEM CA bundle for the store\'s TLS (env AWS_CA_BUNDLE)')
    .option('--s3-checksum <mode>', 'when-required|when-supported: SDK request checksums and response validation (default when-required, which every S3-compatible store accepts)');
  if (opts.writes) {
    cmd
      .option('--s3-sse <mode>', 'server-side encryption: AES256 (SSE-S3) or aws:kms (SSE-KMS)')
      .option('--s3-sse-kms-key-id <id>', 'KMS key id, ARN or alias for SSE-KMS')
      .option('--s3-storage-class <class>', 'storage class of snapshot objects (manifests stay STANDARD)')
      .option('--s3-object-lock-mode <mode>', 'GOVERNANCE|COMPLIANCE object lock (the bucket must have object lock enabled)')
      .option('--s3-object-lock-retain <duration>', 'keep objects locked this long (e.g. 30d)')
      .option('--s3-part-size <MiB>', 'multipart part size; 3 parts are held in memory (2 in flight, 1 filling). Default: from the db size, 5 MiB up to 24 GiB')
      .option('--s3-verify <mode>', 'auto|read-back: check the stored object by ETag (read back when not comparable) or always read it back', 'auto');
  }
  return cmd;
}
