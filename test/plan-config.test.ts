/** Config readers for `upshift plan --config`: YAML, flag lists, systemd units, environment files. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectKind, parseConfigText, readConfigFile, splitWords, splitKindPrefix } from '../src/plan/config.js';
import { UsageError } from '../src/core/errors.js';
import type { Setting } from '../src/plan/types.js';

const brief = (s: Setting[]): [string, string | undefined, string, number | undefined][] => s.map((x) => [x.name, x.value, x.origin, x.line]);

describe('systemd units', () => {
  test('ExecStart with continuations, quoting, prefixes; Environment= and EnvironmentFile=', () => {
    const unit = [
      '[Unit]',
      'Description=etcd',
      '[Service]',
      'EnvironmentFile=-/etc/default/etcd',
      'Environment="ETCD_NAME=infra 1" ETCD_DEBUG=true ETCDCTL_API=3',
      '# ExecStart=/old/etcd --ignored',
      'ExecStart=-/usr/local/bin/etcd \\',
      "  --data-dir '/var/lib/etcd data' \\",
      '  --logger=capnslog \\',
      '  --initial-cluster "a=http://10.0.0.1:2380,b=http://10.0.0.2:2380" --enable-v2',
      'Restart=always',
    ].join('\n');
    const c = parseConfigText('etcd.service', unit);
    assert.equal(c.kind, 'systemd');
    assert.deepEqual(brief(c.settings), [
      ['name', 'infra 1', 'env', 5],
      ['debug', 'true', 'env', 5],
      ['data-dir', '/var/lib/etcd data', 'cli', 8],
      ['logger', 'capnslog', 'cli', 9],
      ['initial-cluster', 'a=http://10.0.0.1:2380,b=http://10.0.0.2:2380', 'cli', 10],
      ['enable-v2', undefined, 'cli', 10],
    ]);
    assert.deepEqual(c.notes.map((n) => n.code), ['config-environment-file']);
    assert.match(c.notes[0]!.message, /env:\/etc\/default\/etcd/);
  });
  test('variables in ExecStart are noted, not guessed', () => {
    const c = parseConfigText('u.service', '[Service]\nExecStart=/usr/bin/etcd $ETCD_OPTS --name "${HOST}"\n');
    assert.deepEqual(c.settings.map((s) => s.name), ['name']);
    assert.ok(c.notes.some((n) => n.code === 'config-unresolved'));
  });
  test('a unit without ExecStart says so', () => {
    const c = parseConfigText('x.service', '[Service]\nExecStart=\nUser=etcd\n', 'systemd');
    assert.deepEqual(c.notes.map((n) => n.code), ['config-no-execstart']);
  });
});

describe('flag lists', () => {
  test('--a=b, -a=b, --a b, bare booleans, binary first', () => {
    const c = parseConfigText('cmdline', '/usr/bin/etcd --name=a -data-dir=/d --listen-client-urls http://127.0.0.1:2379\n  --enable-pprof --debug --log-level info');
    assert.equal(c.kind, 'flags');
    assert.deepEqual(brief(c.settings), [
      ['name', 'a', 'cli', 1],
      ['data-dir', '/d', 'cli', 1],
      ['listen-client-urls', 'http://127.0.0.1:2379', 'cli', 1],
      ['enable-pprof', undefined, 'cli', 2],
      ['debug', undefined, 'cli', 2],
      ['log-level', 'info', 'cli', 2],
    ]);
  });
  test('backslash-newline continuations and comments', () => {
    const c = parseConfigText('f', '# etcd flags\netcd \\\n  --name a \\\n  --logger=zap # trailing comment\n');
    assert.deepEqual(brief(c.settings), [['name', 'a', 'cli', 3], ['logger', 'zap', 'cli', 4]]);
  });
  test('splitWords quoting', () => {
    assert.deepEqual(splitWords(`a 'b c' "d \\"e\\"" f\\ g`).map((w) => w.text), ['a', 'b c', 'd "e"', 'f g']);
  });
});

describe('environment files', () => {
  test('KEY=VALUE, export, quotes, comments; ETCDCTL_* and other variables skipped', () => {
    const c = parseConfigText('etcd.env', [
      '# etcd',
      'ETCD_NAME="infra1"',
      'export ETCD_DATA_DIR=/var/lib/etcd',
      '; comment',
      "ETCD_INITIAL_CLUSTER='a=http://1:2380'",
      'ETCDCTL_API=3',
      'GOMAXPROCS=2',
      'ETCD_EXPERIMENTAL_CORRUPT_CHECK_TIME=5m',
    ].join('\n'));
    assert.equal(c.kind, 'env');
    assert.deepEqual(brief(c.settings), [
      ['name', 'infra1', 'env', 2],
      ['data-dir', '/var/lib/etcd', 'env', 3],
      ['initial-cluster', 'a=http://1:2380', 'env', 5],
      ['experimental-corrupt-check-time', '5m', 'env', 8],
    ]);
    assert.equal(c.settings[0]!.raw, 'ETCD_NAME');
  });
});

describe('YAML config files', () => {
  test('top-level keys with lines; transport-security nested keys; lists', () => {
    const c = parseConfigText('etcd.conf.yml', [
      'name: infra1',
      'data-dir: /var/lib/etcd',
      'log-outputs: [stderr, /var/log/etcd.log]',
      'client-transport-security:',
      '  cert-file: /c.pem',
      '  ca-file: /ca.pem',
      'enable-v2: true',
      'auto-compaction-retention: "1"',
    ].join('\n'));
    assert.equal(c.kind, 'yaml');
    assert.deepEqual(brief(c.settings), [
      ['name', 'infra1', 'yaml', 1],
      ['data-dir', '/var/lib/etcd', 'yaml', 2],
      ['log-outputs', 'stderr,/var/log/etcd.log', 'yaml', 3],
      ['client-transport-security.cert-file', '/c.pem', 'yaml', 5],
      ['client-transport-security.ca-file', '/ca.pem', 'yaml', 6],
      ['enable-v2', 'true', 'yaml', 7],
      ['auto-compaction-retention', '1', 'yaml', 8],
    ]);
  });
  test('invalid YAML and non-mappings are usage errors naming the file', () => {
    assert.throws(() => parseConfigText('bad.yaml', 'name: [unclosed\n'), (e: unknown) => e instanceof UsageError && /bad\.yaml/.test(e.message));
    assert.throws(() => parseConfigText('list.yaml', '- a\n- b\n'), (e: unknown) => e instanceof UsageError && /mapping/.test(e.message));
  });
});

describe('kind detection and files', () => {
  test('detectKind', () => {
    assert.equal(detectKind('x', '[Service]\nExecStart=/bin/etcd\n'), 'systemd');
    assert.equal(detectKind('x', 'ETCD_NAME=a\n'), 'env');
    assert.equal(detectKind('x', 'name: a\n'), 'yaml');
    assert.equal(detectKind('x', 'etcd --name a\n'), 'flags');
    assert.throws(() => detectKind('x', 'hello world\n'), (e: unknown) => e instanceof UsageError && /yaml:, flags:, systemd:, env:/.test(e.hint ?? ''));
  });
  test('kind prefix and reading files', async () => {
    assert.deepEqual(splitKindPrefix('env:/etc/default/etcd'), { kind: 'env', path: '/etc/default/etcd' });
    assert.deepEqual(splitKindPrefix('/etc/etcd.yml'), { path: '/etc/etcd.yml' });
    const dir = mkdtempSync(join(tmpdir(), 'upshift-plan-config-'));
    try {
      writeFileSync(join(dir, 'defaults'), 'ETCD_NAME=a\n');
      const c = await readConfigFile(`env:${join(dir, 'defaults')}`);
      assert.equal(c.kind, 'env');
      assert.equal(c.file, join(dir, 'defaults'));
      await assert.rejects(readConfigFile(join(dir, 'missing')), (e: unknown) => e instanceof UsageError && e.exitCode === 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
