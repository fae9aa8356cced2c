import type { Logger } from '../plugins/ConnectorPlugin.js';

/** One line a {@link RecordingLogger} recorded. */
export interface RecordedLine {
  /** The level it was logged at. */
  level: 'debug' | 'info' | 'warn' | 'error';
  /** The message, when one was given. */
  msg?: string;
  /** The structured fields: the child bindings, then the logged object. */
  fields: Record<string, unknown>;
  /** The line as a JSON logger would write it (`level`, fields, `msg`): search it for a secret that must not appear. */
  line: string;
}

/** A {@link Logger} that keeps every line in memory, for tests. */
export interface RecordingLogger extends Logger {
  /** Every line written so far by this logger and its children, oldest first. */
  readonly lines: RecordedLine[];
  /** A child whose lines land in the same `lines`, with `bindings` added to each. */
  child(bindings: Record<string, unknown>): RecordingLogger;
  /** Forgets every line recorded so far. */
  clear(): void;
}

/** JSON as a JSON logger writes it: bigints as strings, errors with their own fields and cause, cycles cut. */
function serialise(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Error) {
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

/**
 * A logger that records each line (level, message, structured fields and
 * the JSON line) in `lines`, shared with its children. For plugin tests:
 * assert what was logged, and that no secret was.
 */
export function recordingLogger(): RecordingLogger {
  const lines: RecordedLine[] = [];
  const make = (bindings: Record<string, unknown>): RecordingLogger => {
    const write = (level: RecordedLine['level']) => (obj: object, msg?: string) => {
      const fields = { ...bindings, ...obj };
      lines.push({
        level,
        ...(msg !== undefined ? { msg } : {}),
        fields,
        line: serialise({ level, ...fields, ...(msg !== undefined ? { msg } : {}) }),
      });
    };
    return {
      lines,
      debug: write('debug'),
      info: write('info'),
      warn: write('warn'),
      error: write('error'),
      child: (more) => make({ ...bindings, ...more }),
      clear: () => {
        lines.length = 0;
      },
    };
  };
  return make({});
}
