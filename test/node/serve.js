// The sandbox on a random loopback port, for Node tests that talk to it over real HTTP.
import { createServer } from 'node:http';

/** Serves `sandbox` on 127.0.0.1:<random>; resolves to its origin and a `stop()`. */
export async function serve(sandbox) {
  const server = createServer((req, res) => {
    sandbox.handle(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    // Child processes may hold keep-alive connections: close them too.
    stop: () => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))),
  };
}

/** The sandbox's control API at `origin`: GET without a body, POST with one; the JSON answer. */
export async function control(origin, path, body) {
  const response = await fetch(`${origin}/sandbox/_control/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return response.json();
}

/** Asks the sandbox at `origin` for a Speaknosis token with the demo client; the raw Response. */
export function demoClientToken(origin) {
  return fetch(`${origin}/sandbox/speaknosis/api/iam/integration/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'demo-client',
      client_secret: 'demo-client-secret',
    }),
  });
}
