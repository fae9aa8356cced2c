import type { JournalEntry } from '../../journal/JournalEntry.js';
import { settle, type ContractHarness } from '../ContractHarness.js';
import { hasRole, issueRouteOf } from '../ContractTarget.js';
import { describeSettled, fail } from '../explain.js';
import { SINGLE_ATTEMPT } from './singleAttempt.js';

/** What the later cases say when case 0 found that nothing reaches the model. */
export const WIRE_MISMATCH_REASON = "the plugin's requests do not reach the model: see case 0";

const CREDENTIAL_HEADER = /auth|key|sign|token|secret|password|credential/i;

/** A credential header's value, masked for a failure message (`sk_l***`). */
function mask(value: string): string {
  const scheme = /^(Bearer|Basic)\s+/i.exec(value)?.[0] ?? '';
  const rest = value.slice(scheme.length);
  return `${scheme}${rest.length > 8 ? rest.slice(0, 4) : ''}***`;
}

/** One journal entry in words: `POST /zapcash/v1/payout (credential headers: authorization: Bearer sk_t***) → 404`. */
export function describeRequest(entry: JournalEntry): string {
  const credentials = Object.entries(entry.headers)
    .filter(([name]) => CREDENTIAL_HEADER.test(name))
    // The journal masks the headers it knows; mask the others the same way.
    .map(([name, value]) => `${name}: ${value.endsWith('***') ? value : mask(value)}`);
  const auth = credentials.length > 0 ? `credential headers ${credentials.join(', ')}` : 'no credential header';
  return `${entry.method} ${entry.path} (${auth}) → ${entry.status ?? 'no answer'}`;
}

/**
 * Case 0: the sample issuance reaches the model's issue route. When it does
 * not (a wrong path or method, a refused authentication), every other case
 * would report faults that never happened; this case names what the plugin
 * sent and what the model expected, and the later cases are not run.
 * Case 0b: the plugin declares no capability the provider lacks.
 */
export function wireCheckCases(h: ContractHarness): void {
  it("0. the sample issuance reaches the model's issue route (method, path, authentication)", async () => {
    const c = await h.connect(SINGLE_ATTEMPT);
    const ref = h.reference('wire-check');
    const s = await settle(() => c.issue(h.params(ref)));
    const issue = issueRouteOf(h.target);
    const expected = `${issue.method} ${h.pathPrefix}${issue.path} authenticated with ${h.target.authDescription}`;
    const seen = h.journal.entries().filter((e) => e.route !== 'control' && e.route !== 'sink');
    const reached = seen.filter((e) => e.route === h.issueRoute && e.status !== 401 && e.status !== 403);
    if (reached.length > 0) return;
    h.wireMismatch = true;
    const why =
      seen.length === 0
        ? `no request reached the ${h.mode === 'proxy' ? 'fault proxy' : 'simulator'} at all: build every request URL from the base URL configFor receives (${h.providerUrl})`
        : seen.some((e) => e.route === h.issueRoute)
          ? `the ${h.mode === 'proxy' ? 'provider' : 'model'} refused its authentication: your plugin sent ${seen.map(describeRequest).join('; ')}`
          : `your plugin sent ${seen.map(describeRequest).join('; ')}, which is not the model's issue route`;
    fail(
      `the sample issuance (reference ${ref}) never reached the model's issue route, so every later case would report faults that never happened: ${why}. ` +
        `The model ${h.target.id} expects ${expected}. The call ended with ${describeSettled(s)}. ` +
        'Fix the path, the method or the authentication first; the later cases are not run',
    );
  });

  it('0b. the plugin declares no capability its provider lacks', () => {
    const caps = h.plugin.capabilities;
    const problems: string[] = [];
    if (caps.statusByReference && !hasRole(h.target, 'status-by-reference')) {
      problems.push(
        `the plugin declares statusByReference: true, but the model ${h.target.id} has no route with role "status-by-reference": reconciliation would ask a lookup that does not exist`,
      );
    }
    if (caps.duplicateReference !== 'none' && h.target.duplicateReference === 'none') {
      problems.push(
        `the plugin declares duplicateReference "${caps.duplicateReference}", but the model ${h.target.id} issues again on a repeated reference ("none"): the pipeline would re-send after an unknown outcome and issue twice`,
      );
    }
    if (
      caps.asyncIssuance &&
      !h.target.pendingProducts &&
      h.target.model?.examples.pending === undefined &&
      h.target.products.every((p) => !p.pending)
    ) {
      problems.push(`the plugin declares asyncIssuance: true, but the model ${h.target.id} has no product that stays pending`);
    }
    if (problems.length > 0) fail(problems.join('; '));
  });
}
