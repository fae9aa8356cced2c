import { expect } from 'chai';
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createAppServer } from '../src/http/createAppServer.js';

describe('createAppServer', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  async function listen(app: express.Express): Promise<string> {
    server = createAppServer(app);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it("builds requests and responses with the app's prototypes, so express never changes them", async () => {
    const app = express();
    app.get('/x', (_req, res) => {
      res.end();
    });
    const url = await listen(app);
    const seen: Array<{ req: boolean; res: boolean }> = [];
    // Before express sees them: their prototypes must already be the app's.
    server!.prependListener('request', (req, res) => {
      seen.push({ req: Object.getPrototypeOf(req) === app.request, res: Object.getPrototypeOf(res) === app.response });
    });
    expect((await fetch(`${url}/x`)).status).to.equal(200);
    expect((await fetch(`${url}/x`)).status).to.equal(200);
    expect(seen).to.deep.equal([
      { req: true, res: true },
      { req: true, res: true },
    ]);
  });

  it("keeps express' request and response API: headers, query, body, req.app, res.json, res.status", async () => {
    const app = express();
    app.set('query parser', 'simple');
    app.use(express.json());
    app.post('/echo', (req, res) => {
      res.status(201).json({
        header: req.get('x-test'),
        isJson: req.is('application/json'),
        query: req.query,
        body: req.body as unknown,
        path: req.path,
        sameApp: req.app === app,
        ip: req.ip,
      });
    });
    const url = await listen(app);
    const r = await fetch(`${url}/echo?a=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-test': 'yes' },
      body: '{"n":2}',
    });
    expect(r.status).to.equal(201);
    expect(r.headers.get('content-type')).to.match(/^application\/json/);
    expect(await r.json()).to.deep.equal({
      header: 'yes',
      isJson: 'application/json',
      query: { a: '1' },
      body: { n: 2 },
      path: '/echo',
      sameApp: true,
      ip: '127.0.0.1',
    });
  });
});
