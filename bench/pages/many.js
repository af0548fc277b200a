// Many gates on one page: how fast they upgrade, and how many requests they send.
const { api, token, provider, app } = document.body.dataset;
const container = document.getElementById('gates');

/** Builds `n` gates the way a page's markup would declare them. */
function makeGates(n, doctorIdOf, prefetch) {
  const gates = [];
  for (let i = 0; i < n; i++) {
    const gate = document.createElement('doctor-gate');
    gate.setAttribute('api-base', api);
    gate.setAttribute('token', token);
    gate.setAttribute('provider-id', provider);
    gate.setAttribute('doctor-id', doctorIdOf(i));
    gate.setAttribute('doctor-name', 'Bench');
    gate.setAttribute('doctor-lastname', 'Doctor');
    gate.setAttribute('speciality-id', '1');
    gate.setAttribute('doctor-lang', 'ES');
    gate.setAttribute('app-url', app);
    if (prefetch) gate.setAttribute('prefetch', prefetch);
    gate.textContent = 'Abrir Speaknosis';
    gates.push(gate);
  }
  return gates;
}

/** One doctor for every gate, or one doctor each. */
const doctorIds = (prefix, same) => (same ? () => prefix : (i) => `${prefix}-${i}`);

/** ms from creating and inserting `n` gates until every one has rendered its first update. */
window.benchUpgrade = async (n, prefix) => {
  const start = performance.now();
  const gates = makeGates(n, (i) => `${prefix}-${i}`);
  container.append(...gates);
  await Promise.all(gates.map((gate) => gate.updateComplete));
  const rendered = performance.now() - start;
  // Plus style and layout of the inserted gates, forced once.
  void container.offsetHeight;
  const laidOut = performance.now() - start;
  const buttons = gates.filter((gate) => gate.shadowRoot?.querySelector('button')).length;
  return { rendered, laidOut, buttons };
};

/** `n` gates (one doctor, or one each), then `provision()` on every one, all at once. */
window.benchProvision = async (n, prefix, same) => {
  const gates = makeGates(n, doctorIds(prefix, same), 'none');
  container.append(...gates);
  await Promise.all(gates.map((gate) => gate.updateComplete));
  const outcomes = await Promise.allSettled(gates.map((gate) => gate.provision()));
  return outcomes.map((o) => (o.status === 'fulfilled' ? o.value.outcome : `error:${o.reason?.code ?? o.reason}`));
};

/** The reference flow for the same buttons: every button runs its own checkAndCreateDoctor. */
window.benchReferenceProvision = async (n, prefix, same) => {
  const ids = doctorIds(prefix, same);
  const outcomes = await Promise.allSettled(
    Array.from({ length: n }, (_, i) =>
      window.checkAndCreateDoctor(token, window.referenceDoctor(ids(i)), provider, api),
    ),
  );
  return outcomes.map((o) => (o.status === 'fulfilled' ? 'ok' : 'error'));
};
