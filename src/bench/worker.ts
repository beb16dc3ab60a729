/**
 * A load-generator worker thread: its own HTTP/2 connections (so --conns are real TCP connections and
 * the work spreads over cores — grpc-js/node share one event loop per thread), its own HDR histograms,
 * exact op accounting. Talks to the parent (engine.ts) with the messages in protocol.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../core/errors.js';
import type { BenchConfig } from './config.js';
import { H2Channel, statusName, type Channel } from './transport.js';
import { RawH2Channel } from './h2raw.js';
import { Path, encodeAuthenticate, decodeAuthenticateToken } from './wire.js';
import { createWorkload, epochMs, localWatchersOnKey, OK, CONFLICT, type Outcome } from './workloads.js';
import { newHistogram, encodeHistogram } from './histogram.js';
import type { WorkerInit, ToWorker, FromWorker, TimelineBucket, WorkerResult } from './protocol.js';

const init = workerData as WorkerInit;
const port = parentPort!;
const post = (m: FromWorker): void => port.postMessage(m);

async function authenticate(ch: Channel, user: string, password: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) =>
    ch.unary(Path.authenticate, encodeAuthenticate(user, password), timeoutMs, (st, msg, body) => {
      if (st !== 0) reject(new Error(`authenticate as ${user} at ${ch.opts.url}: ${statusName(st)}: ${msg}`));
      else resolve(decodeAuthenticateToken(body!));
    }),
  );
}

async function main(): Promise<void> {
  const c: BenchConfig = init.config;
  const share = init.share;
  const channels: Channel[] = [];
  for (let i = 0; i < share.conns; i++) {
    const url = c.endpoints[(share.connOffset + i) % c.endpoints.length]!;
    const o = { url, dialTimeoutMs: c.dialTimeoutMs, ...(init.tls ? { tls: init.tls } : {}) };
    channels.push(c.transport === 'node-http2' ? new H2Channel(o) : new RawH2Channel(o));
  }
  await Promise.all(channels.map((ch) => ch.connect()));
  if (init.auth) {
    // Simple tokens are per member, so each connection authenticates with its own member.
    const { user, password } = init.auth;
    for (const ch of channels) {
      ch.token = await authenticate(ch, user, password, c.commandTimeoutMs);
      ch.reauth = () => authenticate(ch, user, password, c.commandTimeoutMs);
    }
  }

  // ---- recording state ----
  const hist = newHistogram(); // the measured latency (from intended start under --rate)
  const service = newHistogram(); // from actual send (differs from hist only under --rate)
  const aux = newHistogram(); // watch: put latency
  const timeline: TimelineBucket[] = [];
  const errorsByType: Record<string, number> = {};
  let ops = 0;
  let errors = 0;
  let conflicts = 0;
  let firstAt = Infinity;
  let lastAt = 0;
  let measureStart = Infinity;
  let measureEnd = Infinity;

  const bucket = (at: number): TimelineBucket => {
    const i = Math.max(0, Math.floor((at - measureStart) / 1000));
    while (timeline.length <= i) timeline.push({ ops: 0, errors: 0, latSumUs: 0, latMaxUs: 0 });
    return timeline[i]!;
  };
  const recordOk = (latUs: number, at: number): void => {
    hist.recordValue(latUs);
    const b = bucket(at);
    b.ops++;
    b.latSumUs += latUs;
    if (latUs > b.latMaxUs) b.latMaxUs = latUs;
    if (at > lastAt) lastAt = at;
  };

  const workload = createWorkload({
    config: c,
    share,
    channels,
    measureStart: () => measureStart,
    onEvent: (latUs, at) => {
      ops++;
      recordOk(latUs, at);
    },
  });
  await workload.setup();
  const sweeper = setInterval(() => {
    const now = performance.now();
    for (const ch of channels) ch.sweep(now);
    workload.sweep?.(now);
  }, 100);

  post({ type: 'ready' });
  const start = await new Promise<Extract<ToWorker, { type: 'start' }>>((resolve) => {
    const onMsg = (m: ToWorker): void => {
      if (m.type === 'start') {
        port.off('message', onMsg);
        resolve(m);
      }
    };
    port.on('message', onMsg);
  });
  measureStart = start.measureStart;
  // All workers begin together (the parent picked a moment slightly in the future).
  // Timers may fire up to 1 ms early, so loop: with no warmup, nothing may run before measureStart.
  while (epochMs() < start.begin) await new Promise((r) => setTimeout(r, Math.max(1, start.begin - epochMs())));
  if (start.measureEnd !== undefined) measureEnd = start.measureEnd;
  let stopping = false;
  port.on('message', (m: ToWorker) => {
    if (m.type === 'stop') stopping = true;
  });

  const watch = c.workload === 'watch';
  const total = share.total;
  let tickets = 0; // measured ops handed out (total mode)
  let seq = 0; // every op, warmup included
  let inflight = 0;
  let finishResolve!: () => void;
  const finished = new Promise<void>((r) => (finishResolve = r));

  // Open loop: op k of this worker is intended to start at origin + k / rate.
  const origin = start.begin;
  const interval = share.rate ? 1000 / share.rate : 0;
  let scheduled = 0;

  const done = (): void => {
    if (inflight === 0) finishResolve();
  };

  const issue = (client: number, intended: number, measured: boolean): void => {
    const mySeq = seq++;
    const sent = epochMs();
    if (measured && sent < firstAt) firstAt = sent;
    workload.op(client, mySeq, measured, (outcome: Outcome, status: number, message: string) => {
      inflight--;
      const now = epochMs();
      if (measured) {
        if (outcome === OK || outcome === CONFLICT) {
          if (outcome === CONFLICT) conflicts++;
          // From the intended start when the op went out late (coordinated omission); from the actual
          // send when a timer woke it slightly early (timers have 1 ms granularity).
          const latUs = Math.max(1, Math.round((now - (sent > intended ? intended : sent)) * 1000));
          if (watch) {
            aux.recordValue(latUs);
            if (now > lastAt) lastAt = now;
          } else {
            ops++;
            recordOk(latUs, now);
            if (interval) service.recordValue(Math.max(1, Math.round((now - sent) * 1000)));
          }
        } else {
          errors++;
          const k = `${statusName(status)}: ${message.slice(0, 160)}`;
          errorsByType[k] = (errorsByType[k] ?? 0) + 1;
          bucket(now).errors++;
          if (now > lastAt) lastAt = now;
        }
      }
      next(client);
      if (inflight === 0 && exhausted()) done();
    });
  };

  const exhausted = (): boolean => {
    if (stopping) return true;
    if (total !== undefined) return tickets >= total;
    return epochMs() >= measureEnd;
  };

  /** Decide the next op of `client`: warmup, measured, or nothing left. */
  const next = (client: number): void => {
    if (stopping) return;
    if (interval) {
      const intended = origin + scheduled * interval;
      const measured = intended >= measureStart;
      if (measured) {
        if (total !== undefined && tickets >= total) return;
        if (total === undefined && intended >= measureEnd) return;
        // Duration runs end on time even when the server fell behind the schedule: ops still
        // waiting for a client at the end are counted as not started (reported, not hidden).
        if (total === undefined && epochMs() >= measureEnd) return;
        tickets++;
      }
      scheduled++;
      inflight++; // counted from scheduling, so a sleeping op keeps the worker from finishing
      const wait = intended - epochMs();
      if (wait > 1) setTimeout(() => issue(client, intended, measured), wait);
      else issue(client, intended, measured);
      return;
    }
    const now = epochMs();
    const measured = now >= measureStart;
    if (measured) {
      if (total !== undefined && tickets >= total) return;
      if (total === undefined && now >= measureEnd) return;
      tickets++;
    }
    inflight++;
    issue(client, now, measured);
  };

  // Progress for the parent's live line (cheap: one message per second).
  const progressTimer = setInterval(() => post({ type: 'progress', ops, errors }), 1000);
  for (let i = 0; i < share.clients; i++) next(i);
  if (inflight === 0) finishResolve();
  // In duration mode, wake up at the end even if every client is waiting on a slow server.
  const guard = Number.isFinite(measureEnd) ? setTimeout(() => inflight === 0 && finishResolve(), Math.max(0, measureEnd - epochMs()) + 5) : undefined;
  await finished;
  if (guard) clearTimeout(guard);

  let extraWatch: Record<string, number> = {};
  if (watch) {
    // Tell the parent what was put; it answers with the total per key, from which this worker knows
    // exactly how many events its watchers must see. Wait for them (bounded by the command timeout).
    post({ type: 'putsDone', putsPerKey: workload.putsPerKey! });
    const all = await new Promise<number[]>((resolve) => {
      const onMsg = (m: ToWorker): void => {
        if (m.type === 'drain') {
          port.off('message', onMsg);
          resolve(m.putsPerKey);
        }
      };
      port.on('message', onMsg);
    });
    const hot = all.length;
    const mine = localWatchersOnKey(share, hot);
    const expected = all.reduce((s, n, k) => s + n * mine[k]!, 0);
    const deadline = epochMs() + c.commandTimeoutMs;
    while ((workload.eventsReceived ?? 0) < expected && epochMs() < deadline && !stopping) await new Promise((r) => setTimeout(r, 10));
    const missing = expected - (workload.eventsReceived ?? 0);
    if (missing > 0) {
      errors += missing;
      const k = `WATCH: events not delivered within ${c.commandTimeoutMs} ms`;
      errorsByType[k] = (errorsByType[k] ?? 0) + missing;
    }
    extraWatch = { eventsExpected: expected, eventsReceived: workload.eventsReceived ?? 0 };
  }

  clearInterval(sweeper);
  clearInterval(progressTimer);
  await workload.teardown();
  for (const ch of channels) ch.close();

  const result: WorkerResult = {
    type: 'result',
    ops,
    errors,
    conflicts,
    errorsByType,
    histogram: encodeHistogram(hist),
    serviceHistogram: interval ? encodeHistogram(service) : undefined,
    auxHistogram: watch ? encodeHistogram(aux) : undefined,
    timeline,
    firstAt: Number.isFinite(firstAt) ? firstAt : measureStart,
    lastAt: lastAt || measureStart,
    seq,
    extra: {
      ...workload.extra(),
      ...extraWatch,
      // Open loop, duration mode: intended starts inside the window that never got a client.
      ...(interval && total === undefined ? { rateIntended: Math.max(0, Math.ceil((measureEnd - Math.max(origin, measureStart)) / interval)), rateStarted: tickets } : {}),
    },
  };
  post(result);
  // Let the thread end by itself (flushes profiles); the parent terminates it if it lingers.
  port.close();
}

main().catch((e: unknown) => {
  post({ type: 'fatal', message: errorMessage(e) });
});
