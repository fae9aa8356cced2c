import type { Logger } from '@relaypoint/core';

/** One line a {@link CapturedLogger} recorded, already serialised as it would be written. */
export interface CapturedLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  /** The JSON line: bindings, object and message. */
  line: string;
}

/** A {@link Logger} that keeps every line in memory so a test can search the log output. */
export interface CapturedLogger extends Logger {
  /** Every line written so far by this logger and its children. */
  readonly lines: CapturedLine[];
}

function serialise(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Error) {
      // What a JSON logger (pino's err serialiser) writes: the error's own fields and its cause chain.
      const own: Record<string, unknown> = { name: v.name, message: v.message, stack: v.stack };
      for (const k of Object.keys(v)) own[k] = (v as unknown as Record<string, unknown>)[k];
      if ('cause' in v) own.cause = (v as { cause?: unknown }).cause;
      return own;
    }
    if (v !== null && typeof v === 'object') {
      if (seen.has(v)) return '[circular]';
      seen.add(v);
    }
    return v;
  });
}

/** A logger recording JSON lines (with bindings) in memory. */
export function captureLogger(): CapturedLogger {
  const lines: CapturedLine[] = [];
  const make = (bindings: Record<string, unknown>): Logger => {
    const write = (level: CapturedLine['level']) => (obj: object, msg?: string) => {
      lines.push({ level, line: serialise({ level, ...bindings, ...obj, ...(msg !== undefined ? { msg } : {}) }) });
    };
    return {
      debug: write('debug'),
      info: write('info'),
      warn: write('warn'),
      error: write('error'),
      child: (more) => make({ ...bindings, ...more }),
    };
  };
  return Object.assign(make({}), { lines });
}
