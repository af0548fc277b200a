// doctor-gate/react in React 19 (the suite is shared with React 18: react-wrapper.react18.test.ts).
import * as React from 'react';
import { createRoot } from 'react-dom/client';
import { flushSync } from 'react-dom';
import { DoctorGateReact } from '../../src/react.js';
import { describeDoctorGateReact } from './react-wrapper-suite.js';

describeDoctorGateReact({ label: 'React 19', React, createRoot, flushSync, DoctorGateReact });
