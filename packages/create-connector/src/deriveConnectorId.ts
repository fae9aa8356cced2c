const PLUGIN_ID = /^[a-z][a-z0-9-]{0,62}$/;
// Common naming of plugin packages; the id is what is left (`@acme/relaypoint-connector-topup` → `topup`).
const PREFIXES = ['relaypoint-connector-', 'relaypoint-plugin-', 'relaypoint-', 'connector-'];
const SUFFIXES = ['-relaypoint-connector', '-connector'];

/**
 * The plugin id for a package name: the scope and a conventional
 * `relaypoint-connector-`/`connector-` prefix or `-connector` suffix removed,
 * `.` and `_` turned into `-`, leading non-letters dropped, cut to 63
 * characters. Returns `undefined` when nothing matching `^[a-z][a-z0-9-]{0,62}$` is left.
 */
export function deriveConnectorId(packageName: string): string | undefined {
  let base = packageName.replace(/^@[^/]+\//, '').toLowerCase();
  for (const p of PREFIXES)
    if (base.startsWith(p) && base.length > p.length) {
      base = base.slice(p.length);
      break;
    }
  for (const s of SUFFIXES)
    if (base.endsWith(s) && base.length > s.length) {
      base = base.slice(0, -s.length);
      break;
    }
  const id = base
    .replace(/[._]/g, '-')
    .replace(/[^a-z0-9-]/g, '')
    .replace(/^[^a-z]+/, '')
    .replace(/-{2,}/g, '-')
    .slice(0, 63)
    .replace(/-+$/, '');
  return PLUGIN_ID.test(id) ? id : undefined;
}
