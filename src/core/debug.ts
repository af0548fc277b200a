// The page-wide switch of the `debug` timeline. The core only holds it: no console, no DOM.

let enabled = false;

/** Turns the `debug` timeline on (or off) for every gate on the page, as `debug` does for one. */
export function setDebug(on: boolean): void {
  enabled = on;
}

/** Whether every gate writes its timeline: `setDebug(true)`, or `DoctorGate.debug = true` on the drop-in's global. */
export const isDebug = (): boolean =>
  enabled || (globalThis as { DoctorGate?: { debug?: unknown } }).DoctorGate?.debug === true;
