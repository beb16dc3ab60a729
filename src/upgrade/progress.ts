/**
 * Progress of a run on stderr: plain lines when stderr is not a terminal (logs, CI), and on a terminal
 * a step list with a live line (spinner, elapsed time, gate values while a member soaks).
 * Hand-written rather than listr2: listr2 wants to own the control flow as a task tree, which here
 * belongs to the journaled executor (steps are resumed, skipped and rolled back by the journal).
 */
import pc from 'picocolors';
import type { Logger } from 'pino';
import type { Step } from './steps.js';

export interface ProgressSink {
  /** The run's id, once known (before its first step). */
  begin?(runId: string): void;
  stepStart(index: number, total: number, step: Step): void;
  stepEnd(step: Step, ok: boolean, durationMs: number, error?: string): void;
  /** A line of detail that stays (backup file, gate summary, decisions). */
  info(line: string): void;
  /** Transient state of the current step (gate values while soaking); dropped when not a terminal. */
  live(text: string): void;
  close(): void;
}

export function plainProgress(write: (line: string) => void): ProgressSink {
  return {
    stepStart: (i, n, s) => write(`[${i}/${n}] ${s.id}: ${s.description}`),
    stepEnd: (s, ok, ms, err) => {
      if (!ok) write(`    FAILED after ${(ms / 1000).toFixed(1)} s: ${err ?? ''}`);
    },
    info: (l) => write(l),
    live: () => undefined,
    close: () => undefined,
  };
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function ttyProgress(stream: NodeJS.WritableStream): ProgressSink {
  let current: { step: Step; index: number; total: number; t0: number } | undefined;
  let liveText = '';
  let frame = 0;
  const clear = (): void => {
    stream.write('\r\x1b[K');
  };
  const draw = (): void => {
    if (!current) return;
    const secs = ((Date.now() - current.t0) / 1000).toFixed(1);
    const head = `${pc.cyan(FRAMES[frame++ % FRAMES.length]!)} [${current.index}/${current.total}] ${current.step.id} ${pc.dim(`${secs} s`)}`;
    const cols = (stream as NodeJS.WriteStream).columns ?? 120;
    const line = liveText ? `${head}  ${liveText}` : head;
    clear();
    stream.write(line.length > cols + 20 ? line.slice(0, cols + 20) : line);
  };
  const timer = setInterval(draw, 100);
  timer.unref();
  return {
    stepStart(index, total, step) {
      current = { step, index, total, t0: Date.now() };
      liveText = '';
      draw();
    },
    stepEnd(step, ok, ms, err) {
      clear();
      const mark = ok ? pc.green('✓') : pc.red('✗');
      stream.write(`${mark} ${step.id} ${pc.dim(`${(ms / 1000).toFixed(1)} s`)}${ok ? '' : `  ${pc.red(err ?? '')}`}\n`);
      current = undefined;
      liveText = '';
    },
    info(line) {
      clear();
      stream.write(`${line}\n`);
      draw();
    },
    live(text) {
      liveText = text;
      draw();
    },
    close() {
      clearInterval(timer);
      clear();
    },
  };
}

/**
 * --log-format json: every step start/end and detail line as a pino record carrying the run id, the step
 * and its member (live gate values at debug level).
 */
export function jsonProgress(log: Logger): ProgressSink {
  let runId: string | undefined;
  let current: Step | undefined;
  const fields = (s: Step | undefined = current): Record<string, unknown> => ({ ...(runId ? { runId } : {}), ...(s ? { step: s.id, ...(s.member ? { member: s.member } : {}) } : {}) });
  return {
    begin: (id) => {
      runId = id;
    },
    stepStart(index, total, s) {
      current = s;
      log.info({ ...fields(s), index, total }, `${s.id}: ${s.description}`);
    },
    stepEnd(s, ok, durationMs, err) {
      if (ok) log.info({ ...fields(s), ok, durationMs }, `${s.id}: done`);
      else log.error({ ...fields(s), ok, durationMs, error: err }, `${s.id}: failed: ${err ?? ''}`);
      current = undefined;
    },
    info: (line) => log.info(fields(), line.trim()),
    live: (text) => log.debug(fields(), text),
    close: () => undefined,
  };
}
