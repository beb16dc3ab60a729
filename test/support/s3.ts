/**
 * A real S3-compatible server for tests: moto's server (getmoto, `moto_server`, Python), started on
 * 127.0.0.1 with a free port and stopped by PID. Chosen over s3rver (npm), which on Node 20 accepts any
 * SigV4 signature for a known key (its V4 check is unimplemented), answers AbortMultipartUpload with 405 and
 * ListMultipartUploads with 501, and ignores checksums — so wrong credentials and "no half-written object"
 * could not be tested against it. moto verifies SigV4 once IAM auth is on, implements multipart
 * (abort, list), checksums (CRC32 trailers), SSE and object-lock headers. Debian 12 has no package of it or
 * of MinIO; `pip install 'moto[server]'` installs it where the machine image lacks it.
 *
 * Auth: a user with an allow-all policy is made through moto's IAM API while auth is still off, then auth
 * is switched on (moto-api/reset-auth), so from then on every request must be signed with its key.
 * moto_server.py beside this file starts it with one fix to its signature check (see there).
 *
 * `tls`: serve HTTPS with the given certificate and key (moto's -c/-k); this module's own requests (readiness,
 * IAM, buckets) trust `ca`, which a test passes to the code under test as its CA bundle.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allocateFreePorts } from '../../src/cluster/ports.js';
import { registerExitCleanup } from './cluster.js';

export interface TestS3 {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Environment for a CLI run against this store (credentials, endpoint). */
  env: NodeJS.ProcessEnv;
  createBucket(name: string, opts?: { objectLock?: boolean }): Promise<void>;
  /** Delete every object in a bucket (frees moto's memory between bench runs). */
  deleteAll(bucket: string): Promise<void>;
  stop(): Promise<void>;
}

const launcher = join(dirname(fileURLToPath(import.meta.url)), 'moto_server.py');

export function motoAvailable(): boolean {
  return spawnSync('python3', ['-c', 'import moto.server, flask'], { stdio: 'ignore' }).status === 0;
}

const FAKE_AUTH = (service: string): string => `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00`;

export interface TestS3Tls {
  certFile: string;
  keyFile: string;
  /** PEM of the CA that signed the certificate. */
  ca: string;
}

/** One request to moto (fetch cannot be given a CA); resolves with the status and body text. */
function call(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string; ca?: string }): Promise<{ ok: boolean; status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(u, { method: opts.method ?? 'GET', headers: opts.headers, ...(opts.ca ? { ca: opts.ca } : {}) }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ ok: res.statusCode! >= 200 && res.statusCode! < 300, status: res.statusCode!, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

async function iam(endpoint: string, params: Record<string, string>, ca: string | undefined): Promise<string> {
  const r = await call(endpoint + '/', { method: 'POST', headers: { authorization: FAKE_AUTH('iam'), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...params, Version: '2010-05-08' }).toString(), ca });
  if (!r.ok) throw new Error(`moto IAM ${params.Action}: HTTP ${r.status}: ${r.text.slice(0, 300)}`);
  return r.text;
}

export async function startTestS3(opts: { tls?: TestS3Tls } = {}): Promise<TestS3> {
  const [port] = await allocateFreePorts(1);
  const tlsArgs = opts.tls ? ['-c', opts.tls.certFile, '-k', opts.tls.keyFile] : [];
  const ca = opts.tls?.ca;
  const child: ChildProcess = spawn('python3', [launcher, '-H', '127.0.0.1', '-p', String(port), ...tlsArgs], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: 'true' } });
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (log = (log + d).slice(-4000)));
  const pid = child.pid!;
  const unregister = registerExitCleanup(() => process.kill(pid, 'SIGKILL'));
  const endpoint = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    unregister();
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(pid, 'SIGKILL');
      await exited;
    }
  };
  try {
    // Generous: importing moto (boto3, werkzeug, flask) takes seconds, and far longer on a loaded machine.
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        const r = await call(`${endpoint}/moto-api/data.json`, { ca });
        if (r.ok) break;
      } catch {
        /* not listening yet */
      }
      if (child.exitCode !== null) throw new Error(`moto_server exited: ${log}`);
      if (Date.now() > deadline) throw new Error(`moto_server did not listen on ${endpoint} within 120 s: ${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await iam(endpoint, { Action: 'CreateUser', UserName: 'upshift' }, ca);
    const keyXml = await iam(endpoint, { Action: 'CreateAccessKey', UserName: 'upshift' }, ca);
    await iam(endpoint, { Action: 'PutUserPolicy', UserName: 'upshift', PolicyName: 'all', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }) }, ca);
    const accessKeyId = /<AccessKeyId>([^<]+)</.exec(keyXml)![1]!;
    const secretAccessKey = /<SecretAccessKey>([^<]+)</.exec(keyXml)![1]!;
    const on = await call(`${endpoint}/moto-api/reset-auth`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '0', ca });
    if (!on.ok) throw new Error(`moto reset-auth: HTTP ${on.status}`);
    const env: NodeJS.ProcessEnv = { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_ENDPOINT_URL_S3: endpoint, AWS_REGION: 'us-east-1' };
    const { S3Client, CreateBucketCommand, ListObjectsV2Command, DeleteObjectCommand } = await import('@aws-sdk/client-s3');
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const client = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId, secretAccessKey },
      ...(ca ? { requestHandler: { httpsAgent: new HttpsAgent({ ca }) } } : {}),
    });
    return {
      endpoint,
      accessKeyId,
      secretAccessKey,
      env,
      async createBucket(name, opts = {}) {
        await client.send(new CreateBucketCommand({ Bucket: name, ...(opts.objectLock ? { ObjectLockEnabledForBucket: true } : {}) }));
      },
      async deleteAll(bucket) {
        const r = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
        for (const o of r.Contents ?? []) await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.Key! }));
      },
      async stop() {
        client.destroy();
        await stop();
      },
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
