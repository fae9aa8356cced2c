import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** What the demo keeps between runs in `<dataDir>/demo.json`, so a second `npm start` keeps working with the first one's commands. */
export interface DemoState {
  /** The generated tenant key (never one given by option or `RELAYPOINT_DEMO_KEY`). */
  apiKey?: string;
  /** The simulator's port: webhook subscriptions made against it stay valid. */
  simulatorPort?: number;
}

/** Reads the state; a missing or unreadable file is an empty state (the demo starts afresh). */
export function readDemoState(path: string): DemoState {
  if (!existsSync(path)) return {};
  try {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    return {
      ...(typeof raw.apiKey === 'string' && raw.apiKey.length >= 16 ? { apiKey: raw.apiKey } : {}),
      ...(Number.isInteger(raw.simulatorPort) && (raw.simulatorPort as number) > 0 && (raw.simulatorPort as number) < 65536
        ? { simulatorPort: raw.simulatorPort as number }
        : {}),
    };
  } catch {
    return {};
  }
}

/** Writes the state, readable by its owner only (it holds the demo tenant's key). */
export function writeDemoState(path: string, state: DemoState): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}
