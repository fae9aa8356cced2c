import { inspect } from 'node:util';

/** Where a secret value shows up in an error (message, JSON, cause chain as `util.inspect` prints it) or in log lines; empty when nowhere. */
export function leaks(secret: string, error: unknown, logLines: string[]): string[] {
  const places: string[] = [];
  if (error instanceof Error && error.message.includes(secret)) places.push('the error message');
  try {
    if (JSON.stringify(error)?.includes(secret)) places.push("the error's JSON");
  } catch {
    // An error that cannot be serialised is reported by the inspect check below if it leaks.
  }
  if (inspect(error, { depth: 12, showHidden: false }).includes(secret)) places.push('the error or its cause chain (util.inspect)');
  if (logLines.some((l) => l.includes(secret))) places.push('the log output');
  return places;
}
