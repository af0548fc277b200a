#!/usr/bin/env node
// The sandbox from a clone: node sandbox/cli.js --port 8787 [--host 127.0.0.1] [--latency 100]
// (from the package: npx doctor-gate sandbox …, the same code).
import { sandboxMain } from './server.js';

process.exitCode = await sandboxMain(process.argv.slice(2), { command: 'node sandbox/cli.js' });
