// Moved to ./support/sandbox.js: import from there. Kept for suites written before the move.
import { sandboxControl, serveSandbox } from './support/sandbox.js';

export { demoClientToken } from './support/sandbox.js';
export const serve = (sandbox) => serveSandbox({ sandbox });
export const control = (origin, path, body) => sandboxControl(origin).control(path, body);
