import { builtinModules } from 'node:module';

const SCOPED = /^(?:@([^/]+?)\/)?([^/]+?)$/;
const RESERVED = new Set(['node_modules', 'favicon.ico']);
const MAX_LENGTH = 214;

/**
 * Checks `name` against npm's rules for a NEW package (those of
 * validate-npm-package-name): 1–214 characters, lower case, URL-safe, no
 * leading `.` or `_`, no spaces, none of `~'!()*`, not a Node built-in module
 * or a reserved name; `@scope/name` allowed. Returns the problems, one line
 * each; an empty array means the name is valid.
 */
export function validatePackageName(name: string): string[] {
  const problems: string[] = [];
  if (name.length === 0) return ['name must not be empty'];
  if (name.length > MAX_LENGTH) problems.push(`name must be at most ${MAX_LENGTH} characters`);
  if (name.trim() !== name) problems.push('name must not start or end with spaces');
  if (name.startsWith('.')) problems.push('name must not start with a period');
  if (name.startsWith('_')) problems.push('name must not start with an underscore');
  if (name.toLowerCase() !== name) problems.push('name must not contain capital letters');
  if (/[~'!()*]/.test(name.split('/').pop() ?? '')) problems.push("name must not contain special characters (~'!()*)");
  if (RESERVED.has(name.toLowerCase())) problems.push(`${name} is a reserved name`);
  if (builtinModules.includes(name) || builtinModules.includes(name.replace(/^node:/, '')))
    problems.push(`${name} is a Node.js built-in module name`);
  const m = SCOPED.exec(name);
  if (!m) {
    problems.push('name must be "name" or "@scope/name"');
  } else {
    const [, scope, pkg] = m;
    if (scope !== undefined && (scope.length === 0 || encodeURIComponent(scope) !== scope))
      problems.push('scope must contain only URL-friendly characters');
    if (pkg.startsWith('.') || pkg.startsWith('_')) problems.push('name after the scope must not start with a period or an underscore');
    if (encodeURIComponent(pkg) !== pkg) problems.push('name must contain only URL-friendly characters');
  }
  return [...new Set(problems)];
}
