import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { RELOADLY_MODEL_CREDENTIALS } from '../src/model/index.js';

const cli = join(dirname(createRequire(import.meta.url).resolve('@relaypoint/simulator/package.json')), 'dist', 'src', 'cli.js');

/** Starts `relaypoint-sim start --model reloadly` on a free port and resolves its URL from the start line. */
function startCli(): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'start', '--port', '0', '--model', 'reloadly'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (chunk: Buffer): void => {
      out += chunk.toString('utf8');
      const m = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (m) resolve({ child, url: m[1] });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`relaypoint-sim exited with ${String(code)}: ${out}`)));
  });
}

describe('relaypoint-sim start --model reloadly', () => {
  it('finds the model in the installed plugin package by its name and serves its token route', async () => {
    const { child, url } = await startCli();
    try {
      const res = await fetch(`${url}/reloadly/oauth/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          client_id: RELOADLY_MODEL_CREDENTIALS.clientId,
          client_secret: RELOADLY_MODEL_CREDENTIALS.clientSecret,
          grant_type: 'client_credentials',
          audience: 'https://topups.reloadly.com',
        }),
      });
      expect(res.status).to.equal(200);
      expect(await res.json()).to.include({ token_type: 'Bearer', expires_in: 3600 });
    } finally {
      child.kill();
    }
  });
});
