import type { AjvError } from './ajv.js';

/** Turns a JSON pointer (`/rules/0/fault`) into a readable path (`rules[0].fault`). */
function toPath(pointer: string, root: string): string {
  if (!pointer) return root;
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(part) ? `[${part}]` : out ? `.${part}` : part;
  }
  return out;
}

/**
 * One `path: message` line per ajv error, dropping the noise of `if`/`then`
 * wrappers (the errors of the branch that applied are kept).
 */
export function formatAjvErrors(errors: AjvError[] | null | undefined, root = '(root)'): string[] {
  const lines: string[] = [];
  for (const e of errors ?? []) {
    if (e.keyword === 'if') continue;
    let path = toPath(e.instancePath, root);
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty?: string }).additionalProperty;
      message = `unknown property "${extra}"`;
    } else if (e.keyword === 'required') {
      const missing = (e.params as { missingProperty?: string }).missingProperty;
      path = path === root ? String(missing) : `${path}.${missing}`;
      message = 'is required';
    } else if (e.keyword === 'enum') {
      const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues ?? [];
      message = `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
    } else if (e.keyword === 'const') {
      message = `must be ${JSON.stringify((e.params as { allowedValue?: unknown }).allowedValue)}`;
    }
    const line = `${path}: ${message}`;
    if (!lines.includes(line)) lines.push(line);
  }
  return lines;
}
