// doctor-gate/react in React 18. The test runner serves `react…` as React 18 (the npm aliases
// `react18`, `react-dom18`) to modules whose URL names react18: this file, and src/react.ts when
// imported with `?react18`, so the component under test is built against React 18 itself.
import * as React from 'react';
import { createRoot } from 'react-dom/client';
import { flushSync } from 'react-dom';
import { describeDoctorGateReact } from './react-wrapper-suite.js';

const component = new URL('../../src/react.ts?react18', import.meta.url).href;
const { DoctorGateReact } = (await import(component)) as typeof import('../../src/react.js');

describeDoctorGateReact({ label: 'React 18', React, createRoot, flushSync, DoctorGateReact });
