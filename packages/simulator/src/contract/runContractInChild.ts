import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

/** The JSON report of a child mocha run (mocha's `json` reporter). */
export interface ContractReport {
  stats: { tests: number; passes: number; pending: number; failures: number };
  failures: { title: string; fullTitle: string; err: { message?: string } }[];
  passes: { title: string }[];
  pending: { title: string }[];
}

/** Options of {@link runContractInChild}. */
export interface RunContractInChildOptions {
  /** Only the cases whose full title matches (mocha `--grep`). Defaults to all. */
  grep?: string;
  /** Extra environment of the child (the file reads which plugin variant to test from it). */
  env?: Record<string, string>;
  /** Per-case timeout, ms. Defaults to 30000. */
  timeoutMs?: number;
}

/**
 * Runs a test file that calls `describeConnectorContract` in a child mocha
 * (its own process and globals) and resolves with its JSON report: how a
 * test checks that the suite fails a deliberately broken plugin, and with
 * which message.
 */
export function runContractInChild(file: string, options: RunContractInChildOptions = {}): Promise<ContractReport> {
  const mochaBin = createRequire(import.meta.url).resolve('mocha/bin/mocha.js');
  const args = [
    mochaBin,
    '--no-config',
    '--no-package',
    '--timeout',
    String(options.timeoutMs ?? 30_000),
    '--reporter',
    'json',
    ...(options.grep ? ['--grep', options.grep] : []),
    file,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolve(JSON.parse(out.slice(out.indexOf('{'))) as ContractReport);
      } catch {
        reject(new Error(`child mocha wrote no JSON report; stderr:\n${err}\nstdout:\n${out.slice(0, 2000)}`));
      }
    });
  });
}
