import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostConfig } from '../../src/index.js';

/** The host package folder (this file runs from `dist/test/resilience`). */
export const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The CLI the operators run (`relaypoint start --config FILE`), as built. */
export const cliPath = join(packageDir, 'dist', 'src', 'cli.js');

const require = createRequire(join(packageDir, 'package.json'));

/**
 * A plugin's folder as an absolute path: child-process configs live in a
 * temp folder, where a bare package name would not resolve.
 */
export function pluginPath(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

/** Writes a config file for a child host and returns its path. */
export function writeConfig(dir: string, config: HostConfig): string {
  const file = join(dir, 'relaypoint.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** A host started as a child process. */
export interface HostProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** The last 500 stdout/stderr lines (JSON log lines and anything else). The `listening` line is logged at info: configs must not set a higher level. */
  readonly output: string[];
  /** SIGKILL, then wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (graceful), then wait for the exit; SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<number | null>;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/**
 * Starts `relaypoint start --config FILE` and resolves once it logs
 * `listening` (its URL comes from that line). Rejects with the output when it
 * exits first or does not listen within `timeoutMs`.
 */
export function spawnHost(configFile: string, options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<HostProcess> {
  const child = spawn(process.execPath, [cliPath, 'start', '--config', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...(options.env ?? {}) },
  });
  return whenListening(child, options.timeoutMs ?? 20_000);
}

/** A host process that has loaded its modules and waits to be told which config to start. */
export interface WarmHost {
  /** Runs the CLI's `start --config FILE` in the warm process; resolves once it listens. */
  start(configFile: string, timeoutMs?: number): Promise<HostProcess>;
  /** Kills it if it was never started. */
  discard(): void;
}

/**
 * Spawns a process that imports the host's modules ahead of time and then
 * runs the real CLI (`dist/src/cli.js start --config FILE`) when given a
 * config path. Loading the modules is most of a start on a busy machine;
 * taking it out of the measured restart keeps a 50-run crash test short
 * while the code that starts, recovers and serves is the CLI's own.
 */
export function warmHost(env: NodeJS.ProcessEnv = {}): WarmHost {
  const child = spawn(process.execPath, [join(packageDir, 'dist', 'test', 'resilience', 'warmHostMain.js')], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  return {
    start(configFile, timeoutMs = 20_000) {
      child.stdin?.end(`${configFile}\n`);
      return whenListening(child, timeoutMs);
    },
    discard() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

function whenListening(child: ChildProcess, timeoutMs: number): Promise<HostProcess> {
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`host did not start (${why}):\n${output.slice(-20).join('\n')}`));
    };
    const timer = setTimeout(() => fail(`no "listening" line within ${timeoutMs} ms`), timeoutMs);
    const onLine = (line: string) => {
      if (!line) return;
      output.push(line);
      if (output.length > 500) output.splice(0, output.length - 500);
      if (settled || !line.includes('"listening"')) return;
      try {
        const parsed = JSON.parse(line) as { msg?: unknown; url?: unknown };
        if (parsed.msg !== 'listening' || typeof parsed.url !== 'string') return;
        settled = true;
        clearTimeout(timer);
        const url = parsed.url;
        resolve({
          child,
          url,
          output,
          async kill() {
            child.kill('SIGKILL');
            await exited(child);
          },
          async stop(graceMs = 10_000) {
            child.kill('SIGTERM');
            const cut = setTimeout(() => child.kill('SIGKILL'), graceMs);
            const code = await exited(child);
            clearTimeout(cut);
            return code;
          },
        });
      } catch {
        // Not JSON: keep it in the output only.
      }
    };
    let partial = { out: '', err: '' };
    const reader = (key: 'out' | 'err') => (chunk: Buffer) => {
      const lines = (partial[key] + chunk.toString('utf8')).split('\n');
      partial = { ...partial, [key]: lines.pop() ?? '' };
      for (const l of lines) onLine(l);
    };
    child.stdout?.on('data', reader('out'));
    child.stderr?.on('data', reader('err'));
    child.once('exit', (code, signal) => fail(`exited with ${code ?? signal}`));
  });
}

/** A small seeded PRNG (mulberry32): the same seed replays the same kill moments. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** POSTs JSON with a bearer key; resolves the status and parsed body, or `null` when the connection failed (host killed). */
export async function postJson(
  url: string,
  key: string,
  body: unknown,
  signal?: AbortSignal,
): Promise<{ status: number; body: Record<string, unknown> } | null> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  } catch {
    return null;
  }
}

/** GETs JSON with a bearer key. */
export async function getJson(url: string, key: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
