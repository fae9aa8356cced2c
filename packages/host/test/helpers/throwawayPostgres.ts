import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A PostgreSQL server of this test's own, which it may stop and start: never the shared one of RELAYPOINT_TEST_PG_URL. */
export interface ThrowawayPostgres {
  url: string;
  start(): void;
  stop(): void;
  destroy(): void;
}

/** The server binaries, or why there are none (the test is then pending with that reason). */
export function findPostgresBin(): { bin?: string; why?: string } {
  for (const v of ['17', '16', '15']) {
    const bin = `/usr/lib/postgresql/${v}/bin`;
    if (existsSync(join(bin, 'initdb'))) {
      if (process.getuid?.() !== 0) return { why: 'starting a throwaway PostgreSQL needs root (to run it as the postgres user)' };
      return { bin };
    }
  }
  return { why: 'no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)' };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** initdb into a temp folder owned by postgres, then pg_ctl start on a free loopback port (about a second). */
export async function startThrowawayPostgres(bin: string): Promise<ThrowawayPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'relaypoint-pg-'));
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  chownSync(dir, uid, gid);
  const port = await freePort();
  const asPostgres = (args: string[]) => execFileSync('runuser', ['-u', 'postgres', '--', ...args], { stdio: 'ignore' });
  asPostgres([join(bin, 'initdb'), '-D', join(dir, 'data'), '--auth=trust', '-U', 'postgres']);
  let running = false;
  const start = () => {
    if (running) return;
    asPostgres([
      join(bin, 'pg_ctl'),
      '-D',
      join(dir, 'data'),
      '-l',
      join(dir, 'log'),
      '-o',
      `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off`,
      '-w',
      'start',
    ]);
    running = true;
  };
  const stop = () => {
    if (!running) return;
    asPostgres([join(bin, 'pg_ctl'), '-D', join(dir, 'data'), '-m', 'fast', '-w', 'stop']);
    running = false;
  };
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    destroy() {
      try {
        stop();
      } catch {
        running = false; // it was not running after all
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
