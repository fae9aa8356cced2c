import type { Fault, LatencyFault } from './Fault.js';
import type { Route } from './Route.js';
import { BUILT_IN_ISSUE_ROUTES } from './Route.js';
import type { Rule, Scenario } from './Scenario.types.js';
import { draw } from './draw.js';

/** What happens to one request: at most one non-latency fault, plus a total delay. */
export interface FaultDecision {
  /** The non-latency fault, if any. */
  fault?: Exclude<Fault, LatencyFault>;
  /** Total delay before the request is processed, in ms. */
  latencyMs: number;
  /** What `X-Sim-Fault` and the journal report: `none`, a kind, or kinds joined by `,`. */
  label: string;
}

/** The decision of a request no rule touches (shared: it is never mutated). */
export const NO_FAULT: FaultDecision = Object.freeze({ latencyMs: 0, label: 'none' });

interface CompiledRule {
  index: number;
  route: Rule['route'];
  /** Exact path, or a prefix (the rule's path without its trailing `*`). */
  path?: string;
  pathPrefix?: boolean;
  reference?: string;
  attempts?: ReadonlySet<number>;
  calls?: Rule['calls'];
  probability?: number;
  faults: Fault[];
  /** Requests that matched route and reference so far (what `calls` counts). */
  count: number;
}

// Salts keep the draws of one rule independent of each other.
const SALT_PROBABILITY = 0;
const SALT_PICK = 1;
const SALT_LATENCY_1 = 2;
const SALT_LATENCY_2 = 3;

/**
 * The compiled rules of a scenario. {@link FaultPlan.decide} is called once
 * per request; counters live here and `resetCounters()` clears them.
 */
export class FaultPlan {
  private readonly rules: CompiledRule[];

  /**
   * `wildcard` lists the routes a `"*"` rule applies to (every model's issue
   * route); defaults to the built-in models' `airtime.issue` and
   * `giftcard.order`; `null` makes `"*"` match every route (the fault proxy
   * without a model).
   */
  constructor(
    scenario: Scenario,
    private readonly seed: number,
    private readonly wildcard: ReadonlySet<Route> | null = BUILT_IN_ISSUE_ROUTES,
  ) {
    this.rules = (scenario.rules ?? []).map((r, index) => ({
      index,
      // A rule with only a path matches that path on every route.
      route: r.route ?? (r.path !== undefined ? '' : '*'),
      ...(r.path !== undefined ? (r.path.endsWith('*') ? { path: r.path.slice(0, -1), pathPrefix: true } : { path: r.path }) : {}),
      ...(r.reference !== undefined ? { reference: r.reference } : {}),
      ...(r.attempts ? { attempts: new Set(r.attempts) } : {}),
      ...(r.calls ? { calls: r.calls } : {}),
      ...(r.probability !== undefined ? { probability: r.probability } : {}),
      faults: Array.isArray(r.fault) ? r.fault : [r.fault],
      count: 0,
    }));
  }

  /** True when no rule exists (the hot path skips everything). */
  get empty(): boolean {
    return this.rules.length === 0;
  }

  /** Clears every rule's call counter. */
  resetCounters(): void {
    for (const r of this.rules) r.count = 0;
  }

  /**
   * Decides the faults of one request. `attempt` is the nth request for this
   * route and reference (1-based); for a request without a reference, pass
   * `undefined` and the rule's own call count stands in for it. `path` (the
   * request path without its query) is compared with rules that name one.
   */
  decide(route: Route, reference: string | undefined, attempt: number | undefined, path?: string): FaultDecision {
    if (this.rules.length === 0) return NO_FAULT;
    let fault: Exclude<Fault, LatencyFault> | undefined;
    let latencyMs = 0;
    let latency = false;
    for (const rule of this.rules) {
      if (rule.route === '*' ? this.wildcard !== null && !this.wildcard.has(route) : rule.route !== '' && rule.route !== route) continue;
      if (rule.path !== undefined && (path === undefined || (rule.pathPrefix ? !path.startsWith(rule.path) : path !== rule.path))) continue;
      if (rule.reference !== undefined && rule.reference !== reference) continue;
      const n = ++rule.count;
      if (rule.attempts && (attempt === undefined || !rule.attempts.has(attempt))) continue;
      const c = rule.calls;
      if (c) {
        if (c.first !== undefined && n > c.first) continue;
        if (c.every !== undefined && n % c.every !== 0) continue;
        if (c.from !== undefined && (n < c.from || n > (c.to ?? Infinity))) continue;
      }
      const ref = reference ?? '';
      const att = attempt ?? n;
      if (rule.probability !== undefined && draw(this.seed, route, ref, att, rule.index, SALT_PROBABILITY) >= rule.probability) continue;
      const chosen =
        rule.faults.length === 1
          ? rule.faults[0]
          : rule.faults[Math.floor(draw(this.seed, route, ref, att, rule.index, SALT_PICK) * rule.faults.length)];
      if (chosen.type === 'latency') {
        latency = true;
        latencyMs += latencyOf(chosen, (salt) => draw(this.seed, route, ref, att, rule.index, salt));
      } else if (!fault) {
        fault = chosen;
      }
    }
    if (!fault && !latency) return NO_FAULT;
    const label = latency ? (fault ? `latency,${fault.type}` : 'latency') : fault!.type;
    return { ...(fault ? { fault } : {}), latencyMs, label };
  }
}

/** The delay of a latency fault, in ms, from seeded uniforms. */
export function latencyOf(f: LatencyFault, u: (salt: number) => number): number {
  let ms: number;
  switch (f.distribution) {
    case 'fixed':
      ms = f.ms ?? 0;
      break;
    case 'uniform':
      ms = (f.minMs ?? 0) + u(SALT_LATENCY_1) * ((f.maxMs ?? 0) - (f.minMs ?? 0));
      break;
    case 'lognormal': {
      // Box–Muller: 1 - u keeps the log argument in (0, 1].
      const z = Math.sqrt(-2 * Math.log(1 - u(SALT_LATENCY_1))) * Math.cos(2 * Math.PI * u(SALT_LATENCY_2));
      ms = (f.medianMs ?? 0) * Math.exp((f.sigma ?? 0) * z);
      break;
    }
  }
  return f.capMs !== undefined ? Math.min(ms, f.capMs) : ms;
}
