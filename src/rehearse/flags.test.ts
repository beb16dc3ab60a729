import { test } from 'node:test';
import assert from 'node:assert/strict';
import { carriedFlags, settingsOfArgs } from './flags.js';
import { parseConfigText } from '../plan/config.js';

test('carried flags: behaviour flags go onto the copy, layout and unknown ones do not', () => {
  const s = settingsOfArgs(['--name=m1', '--data-dir=/d', '--snapshot-count=5000', '--listen-client-urls=http://a', '--heartbeat-interval', '100', '--auto-compaction-retention=1h', '--cert-file=/c', '--snapshot-count=6000'], 'cluster.json');
  const r = carriedFlags(s, '3.5.30');
  assert.deepEqual(r.args, ['--heartbeat-interval=100', '--auto-compaction-retention=1h', '--snapshot-count=6000']);
});

test('carried flags: a start script\'s shell words and variables are left out with a note', () => {
  const text = '#!/bin/sh\nset -eu\nb=${1:-/opt/etcd}\nnohup "$b/etcd" --name=s1 --quota-backend-bytes=$QUOTA --snapshot-count=5000 \\\n  --initial-cluster=s1=http://x >> log 2>&1 &\n';
  const r = carriedFlags(parseConfigText('start.sh', text, 'flags').settings, '3.5.30');
  assert.deepEqual(r.args, ['--snapshot-count=5000']);
  assert.ok(r.skipped.some((x) => /QUOTA|\$QUOTA/.test(x)), r.skipped.join('\n'));
  assert.ok(r.skipped.some((x) => /-eu.*no such flag/.test(x)), r.skipped.join('\n'));
});

test('carried flags: YAML keys are flag names; ETCD_ env names map to flags', () => {
  const y = carriedFlags(parseConfigText('etcd.yaml', 'name: a\nsnapshot-count: 100\nexperimental-initial-corrupt-check: true\nclient-transport-security:\n  cert-file: /x\n', 'yaml').settings, '3.5.30');
  assert.deepEqual(y.args, ['--snapshot-count=100', '--experimental-initial-corrupt-check=true']);
  const e = carriedFlags(parseConfigText('etcd.env', 'ETCD_NAME=a\nETCD_ELECTION_TIMEOUT=2500\n', 'env').settings, '3.5.30');
  assert.deepEqual(e.args, ['--election-timeout=2500']);
});
