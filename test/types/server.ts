// Compiled with `npm run test:types` against the shipped declarations of `doctor-gate/server`:
// under toNodeListener the doctorFor context is Node's own request and response, typed, and the
// options may be a function. Each `@ts-expect-error` line must stay an error.
/// <reference types="node" />
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  createGateHandler,
  toNodeListener,
  type GateHandler,
  type GateLogger,
  type NodeContext,
} from 'doctor-gate/server';

interface SignedIn extends IncomingMessage {
  user?: { id: string; name: string; lastname: string };
}

// The context is inferred from toNodeListener: no annotation needed to reach Express's req.user.
export const listener = toNodeListener(
  createGateHandler({
    vendor: 'speaknosis',
    apiBase: 'https://api-qa.speaknosis.com/v1/health',
    providerId: 1001,
    credential: 'token',
    doctorFor: (_request, { incoming, outgoing }) => {
      const response: ServerResponse = outgoing;
      void response;
      return (incoming as SignedIn).user ?? null;
    },
  }),
);

// Options as a function, evaluated at the first request.
export const lazy: GateHandler<NodeContext> = createGateHandler<NodeContext>(() => ({
  vendor: 'prescrypto',
  apiBase: 'https://api.prescrypto.com',
  credential: async () => 'key',
  doctorFor: () => null,
}));

const logger: GateLogger = console;
export const withLogger = createGateHandler({
  vendor: 'speaknosis',
  apiBase: 'https://api-qa.speaknosis.com/v1/health',
  providerId: '1001',
  credential: 'token',
  logger,
  allowedOrigins: ['https://ehr.example'],
  secret: 'a-secret-of-at-least-thirty-two-characters',
  doctorFor: () => null,
});

const nextRoute = createGateHandler<{ params: Promise<object> }>({
  vendor: 'speaknosis',
  apiBase: 'https://api-qa.speaknosis.com/v1/health',
  credential: 'token',
  doctorFor: () => null,
});
// @ts-expect-error a handler written for another framework's context is not a Node listener's
toNodeListener(nextRoute);
