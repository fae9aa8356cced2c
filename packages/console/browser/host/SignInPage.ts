import { ApiError } from '../common/api.js';
import { h, notice } from '../common/dom.js';
import type { HostApp, Page, Session } from './HostApp.js';

/** Sign-in: a tenant or admin API key, exchanged for a session cookie (the key is not kept by the page). */
export function signInPage(app: HostApp): Page {
  return {
    title: 'Sign in',
    async render(main) {
      const status = h('div', { id: 'sign-in-status' });
      const input = h('input', { id: 'api-key', name: 'key', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' });
      const form = h(
        'form',
        {
          class: 'card sign-in',
          on: {
            submit: (e: Event) => {
              e.preventDefault();
              status.replaceChildren();
              void app.api
                .send<Session>('POST', '/session', { key: input.value })
                .then(async (session) => {
                  input.value = '';
                  app.signedIn(session);
                  await app.navigate(app.href('/'));
                })
                .catch((err: unknown) => {
                  status.append(notice('error', err instanceof ApiError ? `${err.message} (${err.code})` : String(err)));
                  input.focus();
                });
            },
          },
        },
        h('h1', null, 'Sign in'),
        h(
          'p',
          null,
          'Use a tenant API key to see that tenant, or the admin key to see every tenant. The key is exchanged for a session; the page does not keep it.',
        ),
        h('label', { for: 'api-key' }, 'API key'),
        input,
        h('button', { type: 'submit', id: 'sign-in' }, 'Sign in'),
        status,
      );
      main.append(form);
      input.focus();
    },
  };
}
