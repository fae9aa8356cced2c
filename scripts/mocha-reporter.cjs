// Spec output for people, plus a stats file per package for the totals line
// that `npm test` and CI print. Mocha loads reporters with require().
'use strict';
const Mocha = require('mocha');
const fs = require('node:fs');
const path = require('node:path');

const { EVENT_RUN_END } = Mocha.Runner.constants;

class RelaypointReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const dir = process.env.RELAYPOINT_TEST_STATS_DIR;
      if (!dir) return;
      const pkg = JSON.parse(fs.readFileSync(path.join(process.cwd(), 'package.json'), 'utf8')).name;
      const s = runner.stats || {};
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(
        path.join(dir, pkg.replace(/[@/]/g, '_') + '.json'),
        JSON.stringify({ package: pkg, passes: s.passes || 0, failures: s.failures || 0, pending: s.pending || 0, tests: s.tests || 0 }),
      );
    });
  }
}
module.exports = RelaypointReporter;
