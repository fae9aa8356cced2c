import { expect } from 'chai';
import { tempSqlitePath } from '@relaypoint/store/testing';
import { airtime, ref, startEnv, type TestEnv } from './helpers/harness.js';

describe('storage.thread', function () {
  this.timeout(30_000);
  let env: TestEnv | undefined;
  const tmp = tempSqlitePath('relaypoint-thread-');
  after(async () => {
    await env?.close();
    tmp.cleanup();
  });

  it('runs the journal on a worker-thread SQLite connection when set to "worker"', async () => {
    env = await startEnv({ patch: () => ({ storage: { driver: 'sqlite', path: tmp.path, thread: 'worker' } }) });
    expect(env.host.db.constructor.name).to.equal('SqliteWorkerDatabase');
    const reference = ref('thread');
    const res = await env.call('POST', '/v1/issuances', { body: airtime(reference) });
    expect(res.status, res.text).to.equal(201);
    expect((await env.call('GET', `/v1/issuances/${reference}`)).body.status).to.equal('succeeded');
  });
});
