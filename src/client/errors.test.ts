import { test } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { toEtcdError, isSafeToRetry, EtcdUnavailableError, EtcdDeadlineError, EtcdAuthError, EtcdServerError, EtcdError } from './errors.js';
import { ExitCode } from '../core/errors.js';

const svc = (code: number, details: string) => Object.assign(new Error(`${code} ${details}`), { code, details, metadata: undefined });

const table: { name: string; code: number; details: string; cls: new (...a: never[]) => EtcdError; errCode: string; outcome: 'definite' | 'indeterminate'; read: boolean; write: boolean }[] = [
  { name: 'connection refused before send', code: status.UNAVAILABLE, details: 'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1', cls: EtcdUnavailableError, errCode: 'etcd-unavailable', outcome: 'definite', read: true, write: true },
  { name: 'connection dropped after send', code: status.UNAVAILABLE, details: 'Connection dropped', cls: EtcdUnavailableError, errCode: 'etcd-unavailable', outcome: 'indeterminate', read: true, write: false },
  { name: 'deadline', code: status.DEADLINE_EXCEEDED, details: 'Deadline exceeded after 5.001s', cls: EtcdDeadlineError, errCode: 'etcd-deadline', outcome: 'indeterminate', read: true, write: false },
  { name: 'no leader', code: status.UNAVAILABLE, details: 'etcdserver: no leader', cls: EtcdServerError, errCode: 'etcd-no-leader', outcome: 'definite', read: true, write: true },
  { name: 'leader changed', code: status.UNAVAILABLE, details: 'etcdserver: leader changed', cls: EtcdServerError, errCode: 'etcd-leader-changed', outcome: 'definite', read: true, write: true },
  { name: 'request timed out', code: status.UNAVAILABLE, details: 'etcdserver: request timed out', cls: EtcdDeadlineError, errCode: 'etcd-deadline', outcome: 'indeterminate', read: true, write: false },
  { name: 'timed out, leader failure', code: status.UNAVAILABLE, details: 'etcdserver: request timed out, possibly due to previous leader failure', cls: EtcdDeadlineError, errCode: 'etcd-deadline', outcome: 'indeterminate', read: true, write: false },
  { name: 'server stopped', code: status.UNAVAILABLE, details: 'etcdserver: server stopped', cls: EtcdDeadlineError, errCode: 'etcd-deadline', outcome: 'indeterminate', read: true, write: false },
  { name: 'unhealthy cluster (member change refused)', code: status.UNAVAILABLE, details: 'etcdserver: unhealthy cluster', cls: EtcdServerError, errCode: 'etcd-unhealthy-cluster', outcome: 'definite', read: true, write: true },
  { name: 'proposal dropped', code: status.UNKNOWN, details: 'raft proposal dropped', cls: EtcdServerError, errCode: 'etcd-proposal-dropped', outcome: 'definite', read: true, write: true },
  { name: 'compacted', code: status.OUT_OF_RANGE, details: 'etcdserver: mvcc: required revision has been compacted', cls: EtcdServerError, errCode: 'etcd-compacted', outcome: 'definite', read: false, write: false },
  { name: 'no space', code: status.RESOURCE_EXHAUSTED, details: 'etcdserver: mvcc: database space exceeded', cls: EtcdServerError, errCode: 'etcd-no-space', outcome: 'definite', read: false, write: false },
  { name: 'invalid token', code: status.UNAUTHENTICATED, details: 'etcdserver: invalid auth token', cls: EtcdAuthError, errCode: 'etcd-invalid-token', outcome: 'definite', read: false, write: false },
  { name: 'bad password', code: status.INVALID_ARGUMENT, details: 'etcdserver: authentication failed, invalid user ID or password', cls: EtcdAuthError, errCode: 'etcd-auth-failed', outcome: 'definite', read: false, write: false },
  { name: 'permission denied', code: status.PERMISSION_DENIED, details: 'etcdserver: permission denied', cls: EtcdAuthError, errCode: 'etcd-permission-denied', outcome: 'definite', read: false, write: false },
  { name: 'not leader', code: status.FAILED_PRECONDITION, details: 'etcdserver: not leader', cls: EtcdServerError, errCode: 'etcd-not-leader', outcome: 'definite', read: false, write: false },
  { name: 'unimplemented', code: status.UNIMPLEMENTED, details: 'unknown service etcdserverpb.Maintenance', cls: EtcdServerError, errCode: 'etcd-unimplemented', outcome: 'definite', read: false, write: false },
  { name: 'internal after send', code: status.INTERNAL, details: 'Received RST_STREAM with code 2', cls: EtcdServerError, errCode: 'etcd-error', outcome: 'indeterminate', read: false, write: false },
];

for (const row of table) {
  test(`maps ${row.name}`, () => {
    const e = toEtcdError(svc(row.code, row.details), { endpoint: 'http://127.0.0.1:1', method: 'KV.Put' });
    assert.ok(e instanceof row.cls, `${e.constructor.name} is not ${row.cls.name}`);
    assert.equal(e.code, row.errCode);
    assert.equal(e.outcome, row.outcome);
    assert.equal(e.grpcCode, row.code);
    assert.equal(e.endpoint, 'http://127.0.0.1:1');
    assert.equal(isSafeToRetry(e, 'read'), row.read, 'read retry');
    assert.equal(isSafeToRetry(e, 'write'), row.write, 'write retry');
    assert.equal(toEtcdError(e), e, 'idempotent');
  });
}

test('exit codes: unreachable 3, auth 2, server 1', () => {
  assert.equal(toEtcdError(svc(status.UNAVAILABLE, 'connect ECONNREFUSED')).exitCode, ExitCode.environment);
  assert.equal(toEtcdError(svc(status.INVALID_ARGUMENT, 'etcdserver: authentication failed, invalid user ID or password')).exitCode, ExitCode.usage);
  assert.equal(toEtcdError(svc(status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision has been compacted')).exitCode, ExitCode.problem);
});

test('notSent makes a deadline definite (dial timeout)', () => {
  const e = toEtcdError(svc(status.DEADLINE_EXCEEDED, 'Deadline exceeded'), { notSent: true });
  assert.equal(e.outcome, 'definite');
  assert.equal(isSafeToRetry(e, 'write'), true);
});

test('the grpc-js "Resolution note" noise is dropped', () => {
  const e = toEtcdError(svc(status.UNAVAILABLE, 'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: '));
  assert.doesNotMatch(e.message, /Resolution note/);
});

test('non-gRPC errors and non-errors', () => {
  assert.equal(isSafeToRetry(new Error('x'), 'read'), false);
  const e = toEtcdError(new Error('socket hang up'), { notSent: true });
  assert.ok(e instanceof EtcdUnavailableError);
  assert.equal(e.outcome, 'definite');
});

test('HTTP/2 REFUSED_STREAM means the server did not process the request: definite, a write may be retried', () => {
  const e = toEtcdError({ code: status.UNAVAILABLE, details: 'Stream refused by server', message: '14 UNAVAILABLE: Stream refused by server' } as never, { endpoint: 'http://127.0.0.1:1', method: 'KV.Put' });
  assert.equal(e.outcome, 'definite');
  assert.equal(isSafeToRetry(e, 'write'), true);
});
