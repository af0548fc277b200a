/// <reference types="node" />
import { getRequestListener } from '@hono/node-server';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GateHandler } from './handler.js';

/** What `doctorFor` gets beside the request under `toNodeListener`: Node's own request and response. */
export interface NodeContext {
  incoming: IncomingMessage;
  outgoing: ServerResponse;
}

/** A `node:http` request listener, also usable as Express or Connect middleware. */
export type NodeListener = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

/**
 * Adapts a Web-standard handler to `node:http`, Express and Connect
 * (`http.createServer(listener)`, `app.use('/ehr/doctor-gate', listener)`). The handler's
 * `doctorFor` gets a `NodeContext` as its second argument, for sessions kept on Node's request
 * (Express's `req.session`, `req.user`: `context.incoming.session`). The request's `signal` aborts
 * when the client goes away.
 */
export function toNodeListener(handler: GateHandler<NodeContext>): NodeListener {
  // A library must not replace the process's global Request and Response.
  const listener = getRequestListener(handler as (request: Request, env: unknown) => Promise<Response>, {
    overrideGlobalObjects: false,
  }) as NodeListener;
  return (incoming, outgoing) => {
    // Mounted after a body parser (Express's `express.json()`): the stream is read already, and
    // the parsed body is what is left of it.
    const parsed = incoming as IncomingMessage & { body?: unknown; rawBody?: Buffer };
    if (incoming.readableEnded && parsed.rawBody === undefined && parsed.body !== undefined) {
      const text = typeof parsed.body === 'string' ? parsed.body : JSON.stringify(parsed.body);
      parsed.rawBody = Buffer.from(text ?? '');
    }
    return listener(incoming, outgoing);
  };
}
