import type { ModelRoute } from './ProviderModel.js';

/** A route matched by {@link RouteTable.match}. */
export interface RouteMatch {
  route: ModelRoute;
  /** `<model id>.<route name>`, as the journal and scenario rules name it. */
  fullName: string;
  params: Record<string, string>;
}

interface ParamRoute {
  route: ModelRoute;
  fullName: string;
  /** Literal segment, or null for a `:param` (its name in `names`). */
  segments: (string | null)[];
  names: string[];
}

const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/**
 * A model's routes, compiled once: static paths sit in a map keyed by
 * `METHOD path` (one lookup per request), routes with `:param` segments are
 * compared segment by segment. No regular expression runs per request.
 */
export class RouteTable {
  private readonly statics = new Map<string, RouteMatch>();
  private readonly params: ParamRoute[] = [];

  constructor(modelId: string, routes: readonly ModelRoute[]) {
    for (const route of routes) {
      const fullName = `${modelId}.${route.name}`;
      const segments = route.path.split('/').slice(1);
      if (!segments.some((s) => s.startsWith(':'))) {
        this.statics.set(`${route.method} ${route.path}`, { route, fullName, params: NO_PARAMS });
        continue;
      }
      const names: string[] = [];
      this.params.push({
        route,
        fullName,
        segments: segments.map((s) => {
          if (!s.startsWith(':')) return s;
          names.push(s.slice(1));
          return null;
        }),
        names,
      });
    }
  }

  /** The route for a method and a path below the mount prefix, or undefined. */
  match(method: string, path: string): RouteMatch | undefined {
    const hit = this.statics.get(`${method} ${path}`);
    if (hit) return hit;
    if (this.params.length === 0) return undefined;
    const parts = path.split('/');
    outer: for (const p of this.params) {
      if (p.route.method !== method || parts.length !== p.segments.length + 1) continue;
      const values: Record<string, string> = {};
      let n = 0;
      for (let i = 0; i < p.segments.length; i++) {
        const seg = p.segments[i];
        const part = parts[i + 1];
        if (seg === null) {
          const value = decodeSegment(part);
          if (value === undefined) continue outer;
          values[p.names[n++]] = value;
        } else if (seg !== part) continue outer;
      }
      return { route: p.route, fullName: p.fullName, params: values };
    }
    return undefined;
  }
}

function decodeSegment(s: string): string | undefined {
  if (s.length === 0) return undefined;
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}
