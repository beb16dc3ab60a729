import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { adjustYamlForVersion } from './yaml-args.js';

const CONFIG = `# etcd member config
name: m1
data-dir: /var/lib/etcd
enable-v2: true
experimental-initial-corrupt-check: true # checked at boot
experimental-corrupt-check-time: 300000000000
experimental-watch-progress-notify-interval: 5000000000
log-outputs: [stderr]
client-transport-security:
  cert-file: /etc/etcd/server.crt
`;

test('3.5 -> 3.6: renamed keys and a feature-gates string; comments, lists and maps kept', () => {
  const r = adjustYamlForVersion(CONFIG, '3.6.14');
  const y = parse(r.text) as Record<string, unknown>;
  assert.equal(y['corrupt-check-time'], 300000000000);
  assert.equal(y['watch-progress-notify-interval'], 5000000000);
  assert.equal(y['feature-gates'], 'InitialCorruptCheck=true');
  assert.equal(y['experimental-initial-corrupt-check'], undefined);
  assert.equal(y['enable-v2'], undefined, '3.6 removed --enable-v2');
  assert.deepEqual(y['log-outputs'], ['stderr']);
  assert.deepEqual(y['client-transport-security'], { 'cert-file': '/etc/etcd/server.crt' });
  assert.match(r.text, /# etcd member config/);
  assert.deepEqual(r.ignored, []);
  assert.ok(r.adjustments.length >= 4);
  // 3.7 takes the 3.6 file as it is.
  assert.deepEqual(adjustYamlForVersion(r.text, '3.7.1').adjustments, []);
});

test('downgrade 3.6 -> 3.5: new keys and gates back to the experimental ones', () => {
  const up = adjustYamlForVersion(CONFIG, '3.6.14').text;
  const r = adjustYamlForVersion(up, '3.5.33');
  const y = parse(r.text) as Record<string, unknown>;
  assert.equal(y['experimental-corrupt-check-time'], 300000000000);
  assert.equal(y['experimental-initial-corrupt-check'], true);
  assert.equal(y['feature-gates'], undefined);
});

test('unknown keys are reported as ignored, the text unchanged when nothing applies', () => {
  const r = adjustYamlForVersion('name: a\nno-such-key: 1\n', '3.6.14');
  assert.equal(r.text, 'name: a\nno-such-key: 1\n');
  assert.deepEqual(r.ignored, ['no-such-key']);
});
