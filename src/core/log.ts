/**
 * Logs go to stderr (never stdout, which carries results). pino with redaction so that passwords,
 * tokens and keys can't reach a log line even if a caller passes them by mistake.
 */
import { Writable } from 'node:stream';
import { pino, type Logger, type Level } from 'pino';
import { UsageError } from './errors.js';

export type { Logger };

const REDACT = [
  'password',
  '*.password',
  'token',
  '*.token',
  'key',
  '*.key',
  'auth.password',
  'headers.authorization',
  '*.headers.authorization',
];

export function createLogger(level: string = process.env.UPSHIFT_LOG ?? 'warn'): Logger {
  return pino(
    { level, base: undefined, redact: { paths: REDACT, censor: '[redacted]' }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ dest: 2, sync: true }),
  );
}

/** A logger that drops everything (library use, tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

export type LogFormat = 'text' | 'json';

/** `--log-format` / UPSHIFT_LOG_FORMAT: text (the default, human lines) or json (pino lines). Exit 2 otherwise. */
export function logFormatOf(flag: string | undefined, env: NodeJS.ProcessEnv): LogFormat {
  const v = flag ?? env.UPSHIFT_LOG_FORMAT ?? 'text';
  if (v === 'text' || v === 'json') return v;
  throw new UsageError(`${flag !== undefined ? '--log-format' : 'UPSHIFT_LOG_FORMAT'}: "${v}" is not a log format`, { code: 'bad-log-format', hint: 'use text or json' });
}

/** The JSON logger of --log-format json: pino lines on `dest` (fd 2 unless a stream is given), level info unless UPSHIFT_LOG says otherwise. */
export function jsonLogger(env: NodeJS.ProcessEnv, dest?: NodeJS.WritableStream): Logger {
  const opts = { level: env.UPSHIFT_LOG ?? 'info', base: undefined, redact: { paths: REDACT, censor: '[redacted]' }, timestamp: pino.stdTimeFunctions.isoTime };
  return dest ? pino(opts, dest) : pino(opts, pino.destination({ dest: 2, sync: true }));
}

const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

/**
 * A text stream whose lines become log records (`msg`), for output written as human lines (notes,
 * progress, error messages) when the log format is json. A partial line waits for its newline.
 */
export function logLines(log: Logger, level: Level = 'info', fields: () => Record<string, unknown> = () => ({})): Writable {
  let rest = '';
  const emit = (line: string): void => {
    const text = line.replace(ANSI, '').replace(/\r/g, '').trimEnd();
    if (text.trim() !== '') log[level](fields(), text);
  };
  return new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      const parts = (rest + (typeof chunk === 'string' ? chunk : chunk.toString('utf8'))).split('\n');
      rest = parts.pop()!;
      for (const p of parts) emit(p);
      cb();
    },
    final(cb) {
      if (rest) emit(rest);
      rest = '';
      cb();
    },
  });
}

/** JSON lines (pino) to a given stream, with the same redaction: long-running commands' logs (backup schedule). */
export function createLoggerTo(stream: NodeJS.WritableStream, level = 'info', base: Record<string, unknown> = {}): Logger {
  return pino({ level, base, redact: { paths: REDACT, censor: '[redacted]' }, timestamp: pino.stdTimeFunctions.isoTime }, stream as unknown as pino.DestinationStream);
}
