import { ApiError, type Api } from '../common/api.js';
import { h, notice, replace } from '../common/dom.js';

/** The scenario in force, and an editor that the simulator validates before applying (nothing changes on an error). */
export class ScenarioSection {
  readonly element: HTMLElement;
  private readonly editor = h('textarea', { id: 'scenario-editor', rows: 14, spellcheck: 'false', 'aria-describedby': 'scenario-help' });
  private readonly status = h('div', { id: 'scenario-status', 'aria-live': 'polite' });

  constructor(
    private readonly api: Api,
    private readonly onApplied: () => void,
  ) {
    this.element = h(
      'section',
      { class: 'card', 'aria-labelledby': 'scenario-h', id: 'scenario' },
      h('h2', { id: 'scenario-h' }, 'Scenario'),
      h(
        'p',
        { id: 'scenario-help', class: 'muted' },
        'Edit the JSON and apply it. The simulator checks it first: on an error the scenario in force stays, and each problem is listed as path: message.',
      ),
      h('label', { for: 'scenario-editor' }, 'Scenario JSON'),
      this.editor,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', id: 'apply-scenario', on: { click: () => void this.apply() } }, 'Validate and apply'),
        h('button', { type: 'button', on: { click: () => void this.load() } }, 'Show the scenario in force'),
      ),
      this.status,
    );
  }

  async load(): Promise<void> {
    const scenario = await this.api.get<unknown>('/scenario');
    this.editor.value = JSON.stringify(scenario, null, 2);
  }

  private async apply(): Promise<void> {
    let body: unknown;
    try {
      body = JSON.parse(this.editor.value);
    } catch (e) {
      replace(this.status, notice('error', `Not valid JSON: ${(e as Error).message}`));
      return;
    }
    try {
      const applied = await this.api.send<unknown>('POST', '/scenario', body);
      this.editor.value = JSON.stringify(applied, null, 2);
      replace(this.status, notice('ok', 'Scenario applied.'));
      this.onApplied();
    } catch (e) {
      if (e instanceof ApiError && e.errors.length) {
        replace(
          this.status,
          notice(
            'error',
            h('p', null, 'The scenario was not applied:'),
            h(
              'ul',
              { class: 'errors', id: 'scenario-errors' },
              e.errors.map((line) => h('li', null, line)),
            ),
          ),
        );
      } else replace(this.status, notice('error', e instanceof ApiError ? `${e.message} (${e.code})` : String(e)));
    }
  }
}
