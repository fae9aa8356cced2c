import type { Dialect } from '@relaypoint/store';

/** SQL type of one column of a {@link jsonRows} table. */
export type JsonColumnType = 'text' | 'integer' | 'bigint';

/**
 * A derived table over a JSON array of row arrays bound as one parameter
 * (`[[id, status, …], …]`), for batches of any size. The statement text does
 * not depend on the batch size, so it is prepared once, and no batch can hit
 * a bound-parameter limit: a multi-row `VALUES` list would be a new
 * statement (a new prepare) for every size.
 */
export function jsonRows(dialect: Dialect, param: string, columns: readonly (readonly [name: string, type: JsonColumnType])[]): string {
  if (dialect === 'sqlite') {
    // `->>` yields INTEGER for JSON integers and NULL for null, as the columns expect.
    return `(SELECT ${columns.map(([name], i) => `value ->> ${i} AS ${name}`).join(', ')} FROM json_each(${param}))`;
  }
  return `(SELECT ${columns.map(([name, type], i) => (type === 'text' ? `r ->> ${i} AS ${name}` : `CAST(r ->> ${i} AS ${type}) AS ${name}`)).join(', ')} FROM jsonb_array_elements(CAST(${param} AS jsonb)) AS r)`;
}
