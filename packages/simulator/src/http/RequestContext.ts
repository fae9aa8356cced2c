import type { IncomingHttpHeaders } from 'node:http';
import type { Route } from '../scenario/Route.js';

/** A provider request after its body was read, as handlers see it. */
export interface RequestContext {
  route: Route;
  /** Path without the query string. */
  pathname: string;
  /** The query string without `?` ('' when none). */
  query: string;
  headers: IncomingHttpHeaders;
  /** The body exactly as received (signatures are checked over these bytes). */
  raw: Buffer;
  /** The parsed body; undefined when empty or not JSON. */
  json: unknown;
}

/** The first value of a header. */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A query parameter, or undefined. */
export function queryParam(query: string, name: string): string | undefined {
  if (!query) return undefined;
  return new URLSearchParams(query).get(name) ?? undefined;
}
