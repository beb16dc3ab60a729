/**
 * Logs go to stderr (never stdout, which carries results). pino with redaction so that passwords,
 * tokens and keys can't reach a log line even if a caller passes them by mistake.
 */
import { pino, type Logger } from 'pino';

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

/** JSON lines (pino) to a given stream, with the same redaction: long-running commands' logs (backup schedule). */
export function createLoggerTo(stream: NodeJS.WritableStream, level = 'info', base: Record<string, unknown> = {}): Logger {
  return pino({ level, base, redact: { paths: REDACT, censor: '[redacted]' }, timestamp: pino.stdTimeFunctions.isoTime }, stream as unknown as pino.DestinationStream);
}
