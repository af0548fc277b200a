// Loaded before the stand-in app's own script on the docs site. There is no server behind the
// site: the sandbox lives in the playground page (the opener, or the parent of an iframe), so the
// app's one request to the sandbox (`/sandbox/app-api/whoami`) is answered by that sandbox.
const host = window.opener ?? (window.parent !== window ? window.parent : null);
const nativeFetch = window.fetch.bind(window);

window.fetch = (input, init) => {
  const request = new Request(input, init);
  let sandbox;
  try {
    sandbox = host?.doctorGatePlayground?.sandbox; // same origin as this page, or nothing
  } catch {
    sandbox = undefined;
  }
  if (sandbox && new URL(request.url).pathname.startsWith('/sandbox/app-api/')) return sandbox.fetch(request);
  return nativeFetch(request);
};
