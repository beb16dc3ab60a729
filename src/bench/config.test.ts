import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitEven, planShares, validateConfig, keyOf, type BenchConfig } from './config.js';
import { UsageError } from '../core/errors.js';

const base: BenchConfig = {
  workload: 'put',
  endpoints: ['http://127.0.0.1:2379'],
  clients: 10,
  conns: 3,
  total: 1001,
  keySize: 16,
  valSize: 8,
  keySpace: 1000,
  keyPrefix: 'b/',
  sequentialKeys: false,
  warmupMs: 0,
  workers: 2,
  consistency: 'l',
  prefix: false,
  limit: 0,
  readRatio: 0.9,
  watchers: 7,
  leaseTtlSec: 30,
  commandTimeoutMs: 5000,
  dialTimeoutMs: 2000,
};

test('splitEven splits exactly, larger parts first', () => {
  assert.deepEqual(splitEven(10, 3), [4, 3, 3]);
  assert.deepEqual(splitEven(2, 4), [1, 1, 0, 0]);
  for (const [n, p] of [[1001, 2], [7, 7], [0, 3], [12345, 8]] as const) assert.equal(splitEven(n, p).reduce((a, b) => a + b, 0), n);
});

test('planShares: totals, clients, conns and watchers add up; rate follows clients', () => {
  const shares = planShares({ ...base, workload: 'watch', rate: 500 });
  assert.equal(shares.length, 2);
  assert.equal(shares.reduce((s, x) => s + x.total!, 0), 1001);
  assert.equal(shares.reduce((s, x) => s + x.clients, 0), 10);
  assert.equal(shares.reduce((s, x) => s + x.conns, 0), 3);
  assert.equal(shares.reduce((s, x) => s + x.watchers, 0), 7);
  assert.equal(shares.reduce((s, x) => s + x.rate!, 0), 500);
  assert.deepEqual(shares.map((s) => s.connOffset), [0, 2]);
  assert.deepEqual(shares.map((s) => s.opOffset), [0, 501]);
  assert.deepEqual(shares.map((s) => s.watcherOffset), [0, 4]);
});

test('planShares never makes more workers than connections or clients', () => {
  assert.equal(planShares({ ...base, workers: 8, conns: 1 }).length, 1);
  assert.equal(planShares({ ...base, workers: 8, clients: 2, conns: 2 }).length, 2);
});

test('keyOf pads to exactly the key size', () => {
  assert.equal(keyOf(base, 7), 'b/00000000000007');
  assert.equal(keyOf(base, 7).length, 16);
});

test('validateConfig rejects impossible settings with the flag named', () => {
  const bad = (patch: Partial<BenchConfig>, flag: string): void => {
    assert.throws(() => validateConfig({ ...base, ...patch }), (e: unknown) => e instanceof UsageError && e.message.startsWith(flag));
  };
  bad({ keySize: 4 }, '--key-size');
  bad({ clients: 0 }, '--clients');
  bad({ durationMs: 1000 }, '--total');
  bad({ total: undefined }, '--total');
  bad({ rate: -1 }, '--rate');
  bad({ readRatio: 1.5 }, '--read-ratio');
  bad({ consistency: 'x' as 'l' }, '--consistency');
  bad({ conns: 20 }, '--conns');
  bad({ workload: 'watch', valSize: 4 }, '--val-size');
  bad({ endpoints: [] }, '--endpoints');
  assert.equal(validateConfig(base), base);
});
