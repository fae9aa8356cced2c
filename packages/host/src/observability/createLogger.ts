import { pino, type DestinationStream, type Logger as PinoLogger, type LevelWithSilent } from 'pino';

/** Options of {@link createLogger}. */
export interface CreateLoggerOptions {
  /** Minimum level. Defaults to `info`. */
  level?: LevelWithSilent;
  /** Strings that must never appear in a log line (keys, provider secrets); replaced by `[redacted]`. */
  secrets?: readonly string[];
  /** Where lines go. Defaults to stdout. */
  destination?: DestinationStream;
}

function escapeForJson(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

/**
 * Replaces every secret in a serialised log line, in its raw and its
 * JSON-escaped form. The last line of defence: fields are also redacted by
 * path before serialisation.
 */
export function scrubSecrets(line: string, secrets: readonly string[]): string {
  let out = line;
  for (const s of secrets) {
    for (const form of new Set([s, escapeForJson(s)])) {
      if (out.includes(form)) out = out.split(form).join('[redacted]');
    }
  }
  return out;
}

/**
 * The host's pino logger: JSON lines, authorization headers and secret-named
 * fields redacted by path, and every configured secret scrubbed from the
 * final line (whatever field or message carried it).
 */
export function createLogger(options: CreateLoggerOptions = {}): PinoLogger {
  const secrets = [...(options.secrets ?? [])].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  return pino(
    {
      level: options.level ?? 'info',
      base: { pid: process.pid },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers["x-api-key"]',
          'headers.authorization',
          'authorization',
          'apiKey',
          'secret',
          '*.apiKey',
          '*.secret',
          '*.authorization',
        ],
        censor: '[redacted]',
      },
      hooks: secrets.length > 0 ? { streamWrite: (line: string) => scrubSecrets(line, secrets) } : {},
    },
    // Asynchronous writes: a log line never blocks the event loop that serves issuances. Lines still pending
    // when the host closes are flushed by `close()`; a SIGKILL may lose the last few (never the journal).
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
