/**
 * `doctor-gate/vue`: types only. Registers `<doctor-gate>` in Vue's `GlobalComponents`, so
 * `vue-tsc` checks the gate's props in templates (`mode="bogus"` is an error) and types the
 * `@doctor-gate-*` listeners' events. Opt in once: `import type {} from 'doctor-gate/vue'` in any
 * `.ts` of the app (or `/// <reference types="doctor-gate/vue" />` in an `env.d.ts`).
 * The tag must still be a custom element for Vue's compiler (`isCustomElement`, see the README).
 */
import type { DefineComponent } from 'vue';
import type { DoctorGateEventMap } from './element/doctor-gate.js';
import type { DoctorGateProperties } from './frameworks/properties.js';

type Camelize<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<Camelize<Tail>>}` : S;

/** `@doctor-gate-state` … `@doctor-gate-error`, as Vue sees listeners: `onDoctorGateState` …. */
export type DoctorGateVueListeners = {
  [K in keyof DoctorGateEventMap as `on${Capitalize<Camelize<K>>}`]?: (event: DoctorGateEventMap[K]) => void;
};

/** The props of `<doctor-gate>` in a Vue template (attributes kebab-case or camelCase, `.prop` bindings). */
export type DoctorGateVueProps = DoctorGateProperties & DoctorGateVueListeners;

declare module 'vue' {
  interface GlobalComponents {
    'doctor-gate': DefineComponent<DoctorGateVueProps>;
  }
}
