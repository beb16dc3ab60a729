import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseExecConfig, loadExecConfig, renderTemplate, shellQuote, ExecDriver } from './exec.js';
import { DriverStepError } from './types.js';
import { redact } from './redact.js';

const base = { stop: 'echo stop {{member}}', install: 'echo install {{version}} {{binDir}}', start: 'echo start {{member}} {{clientURL}} {{peerURL}}' };
const member = { name: 'infra1', clientURL: 'http://10.0.0.1:2379', peerURL: 'http://10.0.0.1:2380' };

const usage = (fn: () => unknown, re: RegExp): void => {
  assert.throws(fn, (e: Error & { exitCode?: number }) => e.exitCode === 2 && re.test(e.message));
};

test('config: required templates, strict keys, dotted paths, template variables', () => {
  const c = parseExecConfig({ ...base, members: { infra2: { stop: 'ssh {{member}} systemctl stop etcd' } }, timeouts: { start: '90s', stop: 30 } }, 'x.yaml');
  assert.equal(c.timeoutsMs.start, 90_000);
  assert.equal(c.timeoutsMs.stop, 30_000);
  usage(() => parseExecConfig({ stop: 'a', install: 'b' }, 'x.yaml'), /x\.yaml: start: /);
  usage(() => parseExecConfig({ ...base, restart: 'x' }, 'x.yaml'), /\(top level\): unknown key\(s\) restart/);
  usage(() => parseExecConfig({ ...base, members: { infra1: { stopp: 'x' } } }, 'x.yaml'), /members\.infra1: unknown key/);
  usage(() => parseExecConfig({ ...base, members: { infra1: { start: 'run {{host}}' } } }, 'x.yaml'), /members\.infra1\.start: unknown template variable \{\{host\}\}/);
  usage(() => parseExecConfig({ ...base, stop: '' }, 'x.yaml'), /stop: must be a non-empty command/);
  usage(() => parseExecConfig({ ...base, timeouts: { stop: 'soon' } }, 'x.yaml'), /timeouts\.stop: cannot read/);
  usage(() => parseExecConfig({ ...base, start: 'x {{member' }, 'x.yaml'), /start: unclosed/);
});

test('config file: YAML errors and missing files exit 2 naming the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'upshift-exec-'));
  try {
    const f = join(dir, 'd.yaml');
    writeFileSync(f, 'stop: [unclosed\n');
    await assert.rejects(loadExecConfig(f), (e: Error & { exitCode?: number }) => e.exitCode === 2 && e.message.includes(f));
    await assert.rejects(loadExecConfig(join(dir, 'none.yaml')), (e: Error & { exitCode?: number }) => e.exitCode === 2);
    writeFileSync(f, 'stop: "sh stop.sh {{member}}"\ninstall: "true"\nstart: "sh start.sh {{binDir}}"\n');
    assert.equal((await loadExecConfig(f)).templates.start, 'sh start.sh {{binDir}}');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('templates: variables substituted, quoted only when needed', () => {
  const vars = { member: 'infra1', version: '3.5.30', binDir: '/home/u/.upshift/etcd/3.5.30', clientURL: 'http://a:1', peerURL: 'http://a:2' };
  assert.equal(renderTemplate('ssh {{member}} x {{ version }}', vars), 'ssh infra1 x 3.5.30');
  assert.equal(shellQuote("it's; rm -rf /"), `'it'\\''s; rm -rf /'`);
  assert.equal(renderTemplate('echo {{member}}', { ...vars, member: 'a b' }), "echo 'a b'");
});

test('exec driver: per-member overrides, env vars, captured output', async () => {
  const d = new ExecDriver(parseExecConfig({ ...base, members: { infra1: { stop: 'echo custom $UPSHIFT_MEMBER $UPSHIFT_VERSION' } } }), { home: '/h' });
  const r = await d.stop(member, { graceful: true, version: '3.4.23', deadlineMs: 10_000 });
  assert.equal(r.stdout?.trim(), 'custom infra1 3.4.23');
  const i = await d.install(member, '3.5.30', { deadlineMs: 10_000 });
  assert.equal(i.stdout?.trim(), 'install 3.5.30 /h/etcd/3.5.30');
  const s = await d.start(member, { version: '3.5.30', deadlineMs: 10_000 });
  assert.equal(s.stdout?.trim(), 'start infra1 http://10.0.0.1:2379 http://10.0.0.1:2380');
});

test('exec driver: a non-zero exit is a failed step carrying stderr', async () => {
  const d = new ExecDriver(parseExecConfig({ ...base, start: 'echo boom >&2; exit 3' }), { home: '/h' });
  await assert.rejects(d.start(member, { version: '3.5.30', deadlineMs: 10_000 }), (e: Error) => e instanceof DriverStepError && /exited with 3: boom/.test(e.message));
});

test('exec driver: the deadline kills the whole process group', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'upshift-exec-'));
  try {
    const marker = join(dir, 'survived');
    const d = new ExecDriver(parseExecConfig({ ...base, stop: `(sleep 2; touch ${marker}) & sleep 30` }), { home: '/h' });
    const t0 = Date.now();
    await assert.rejects(d.stop(member, { graceful: true, version: '3.4.23', deadlineMs: 300 }), /did not finish within 300 ms/);
    assert.ok(Date.now() - t0 < 20_000, 'did not wait for the 30 s command');
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(existsSync(marker), false, 'the background child was killed with the group');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('exec driver: a command leaving a background process does not hang', async () => {
  const d = new ExecDriver(parseExecConfig({ ...base, start: 'sleep 60 & echo $!; echo started' }), { home: '/h' });
  const r = await d.start(member, { version: '3.5.30', deadlineMs: 20_000 });
  const [pid, last] = (r.stdout ?? '').trim().split('\n');
  process.kill(Number(pid), 'SIGKILL');
  assert.equal(last, 'started');
});

test('secrets never reach the captured output', async () => {
  const d = new ExecDriver(parseExecConfig({ ...base, stop: 'echo "pw is $ETCDCTL_PASSWORD"; echo password=hunter2 >&2' }), { home: '/h', env: { ...process.env, ETCDCTL_PASSWORD: 's3cr3t-value' } });
  const r = await d.stop(member, { graceful: true, version: '3.4.23', deadlineMs: 10_000 });
  assert.doesNotMatch(JSON.stringify(r), /s3cr3t-value|hunter2/);
  assert.equal(redact('--user=root:pa55word', []), '--user=root:[redacted]');
});

test('config: reset and join (member replacement) come together; {{initialCluster}} only in join; config files per member', () => {
  const c = parseExecConfig({ ...base, reset: 'mv /d /d.aside', join: 'start-empty {{member}} {{initialCluster}}', config: '/etc/etcd.yml', members: { infra2: { config: ['/etc/e2.env'] } } }, 'x.yaml');
  const d = new ExecDriver(c, { home: '/h', env: {} });
  assert.equal(d.canReplace('infra1'), true);
  assert.deepEqual(d.configsFor('infra1'), ['/etc/etcd.yml']);
  assert.deepEqual(d.configsFor('infra2'), ['/etc/e2.env']);
  assert.equal(d.command('join', member, '3.4.23', 'infra1=http://10.0.0.1:2380,infra2=http://10.0.0.2:2380'), 'start-empty infra1 infra1=http://10.0.0.1:2380,infra2=http://10.0.0.2:2380');
  usage(() => parseExecConfig({ ...base, reset: 'mv a b' }, 'x.yaml'), /\(top level\): reset needs join too/);
  usage(() => parseExecConfig({ ...base, members: { infra1: { join: 'x' } } }, 'x.yaml'), /members\.infra1: join needs reset too/);
  usage(() => parseExecConfig({ ...base, start: 'run {{initialCluster}}' }, 'x.yaml'), /start: \{\{initialCluster\}\} is only known to the join command/);
  const plain = new ExecDriver(parseExecConfig(base, 'x.yaml'), { home: '/h', env: {} });
  assert.equal(plain.canReplace('infra1'), false);
  assert.throws(() => plain.templateFor('reset', 'infra1'), /has no reset command/);
});
