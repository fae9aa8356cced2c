import type { Clock } from '../plugins/ConnectorPlugin.js';

/** The real {@link Clock}: `Date.now()`. */
export const systemClock: Clock = Object.freeze({ now: () => Date.now() });
