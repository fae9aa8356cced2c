import { h } from './dom.js';

/** The states the live indicator shows. */
export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'off';

const LABELS: Record<LiveState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  off: 'Not live',
};

/** A visible connection state (`role=status`, so a change is announced). */
export class LiveStatus {
  readonly element = h('span', { class: 'live live-off', role: 'status', 'aria-live': 'polite' }, LABELS.off);

  set(state: LiveState, detail?: string): void {
    this.element.className = `live live-${state}`;
    this.element.textContent = detail ? `${LABELS[state]} (${detail})` : LABELS[state];
    this.element.dataset.state = state;
  }
}
