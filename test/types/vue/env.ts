// Opting in to the gate's Vue typing, the way the README says.
import type {} from 'doctor-gate/vue';
