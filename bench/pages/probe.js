// Loaded first by every bench page: records, in the page's own clock, when each click happened
// (as absolute ms, comparable with the popup's performance.timeOrigin) and the gate's state then.
window.__bench = { clicks: [], states: [], checkingAt: null };
addEventListener(
  'click',
  (event) => {
    const gate = document.querySelector('doctor-gate');
    window.__bench.clicks.push({ at: performance.timeOrigin + event.timeStamp, gateState: gate ? gate.state : null });
  },
  true,
);
addEventListener('doctor-gate-state', (event) => {
  const at = performance.timeOrigin + performance.now();
  window.__bench.states.push({ state: event.detail.state, at });
  if (event.detail.state === 'checking' && window.__bench.checkingAt === null) window.__bench.checkingAt = at;
});
