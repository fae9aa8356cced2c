#!/usr/bin/env node
// A committed launcher: npm links a bin at install time only if its file exists, and dist/ is built after that.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/src/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(
    'relaypoint: ' + cli.pathname + ' is missing; build first (npm run build, or npm start / npm test at the repository root)\n',
  );
  process.exit(1);
}
await import(cli.href);
