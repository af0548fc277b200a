// Moved to ./support/server.js: import from there. Kept for suites written before the move.
export * from './support/server.js';
