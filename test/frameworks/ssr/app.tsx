// The page both sides render: in Node with react-dom/server (server.mjs), then hydrated in the
// browser (ssr.test.tsx). Two ways to write the gate, as the README's SSR recipe gives them.
import { useCallback, type Ref } from 'react';
import type { DoctorGate, ProvisionedDetail } from '../../../src/index.js';
import { DoctorGateReact } from '../../../src/react.js';

export interface PageProps {
  variant: 'wrapper' | 'tag' | 'camel-case-tag';
  apiBase: string;
  providerId: string;
  doctorId: string;
  /** Only on the client: a function does not survive server rendering. */
  tokenProvider?: () => Promise<string>;
  onProvisioned?: (detail: ProvisionedDetail) => void;
  gateRef?: Ref<DoctorGate>;
}

export function Page(props: PageProps) {
  return (
    <main>
      <h1>Patient chart</h1>
      {props.variant === 'wrapper' ? (
        <WithWrapper {...props} />
      ) : props.variant === 'tag' ? (
        <WithTag {...props} />
      ) : (
        <CamelCaseTag {...props} />
      )}
    </main>
  );
}

/** doctor-gate/react: every prop is set as a property on the client, after hydration too. */
function WithWrapper({ apiBase, providerId, doctorId, tokenProvider, onProvisioned, gateRef }: PageProps) {
  return (
    <DoctorGateReact
      ref={gateRef}
      apiBase={apiBase}
      providerId={providerId}
      doctorId={doctorId}
      doctorName="Ana"
      doctorLastname="García"
      specialityId={1}
      doctorLang="EN"
      mode="none"
      tokenProvider={tokenProvider}
      onProvisioned={(event) => onProvisioned?.(event.detail)}
    >
      Open Speaknosis
    </DoctorGateReact>
  );
}

/**
 * A ref callback for the raw tag: what cannot be an attribute (`tokenProvider`, listeners) is set
 * on the element once it exists, which on the client is after hydration.
 */
function useAttach({
  tokenProvider,
  onProvisioned,
  gateRef,
}: Pick<PageProps, 'tokenProvider' | 'onProvisioned' | 'gateRef'>) {
  return useCallback(
    (gate: DoctorGate | null) => {
      if (typeof gateRef === 'function') gateRef(gate);
      else if (gateRef) gateRef.current = gate;
      if (!gate) return;
      if (tokenProvider) gate.tokenProvider = tokenProvider;
      const listening = new AbortController();
      gate.addEventListener('doctor-gate-provisioned', (event) => onProvisioned?.(event.detail), {
        signal: listening.signal,
      });
      return () => listening.abort();
    },
    [gateRef, tokenProvider, onProvisioned],
  );
}

/**
 * The raw tag: attributes in kebab-case (the server writes them as written), and what cannot be
 * an attribute — `tokenProvider`, listeners — set from a ref callback, which runs after hydration.
 * `suppressHydrationWarning`: an upgraded gate has added its reflected `state` attribute by then.
 */
function WithTag({ apiBase, providerId, doctorId, tokenProvider, onProvisioned, gateRef }: PageProps) {
  const attach = useAttach({ tokenProvider, onProvisioned, gateRef });
  return (
    <doctor-gate
      ref={attach}
      suppressHydrationWarning
      api-base={apiBase}
      provider-id={providerId}
      doctor-id={doctorId}
      doctor-name="Ana"
      doctor-lastname="García"
      speciality-id="1"
      doctor-lang="EN"
      mode="none"
    >
      Open Speaknosis
    </doctor-gate>
  );
}

/**
 * The raw tag with camelCase props: the server writes them as attributes (`apiBase="…"`, which the
 * HTML parser reads as `apibase`), hydration sets no property, and the gate reads those lowercase
 * spellings as aliases of its kebab-case attributes. A function still comes from a ref callback.
 */
function CamelCaseTag({ apiBase, providerId, doctorId, tokenProvider, onProvisioned, gateRef }: PageProps) {
  const attach = useAttach({ tokenProvider, onProvisioned, gateRef });
  return (
    <doctor-gate
      ref={attach}
      suppressHydrationWarning
      apiBase={apiBase}
      providerId={providerId}
      doctorId={doctorId}
      doctorName="Ana"
      doctorLastname="García"
      specialityId={1}
      doctorLang="EN"
      mode="none"
    >
      Open Speaknosis
    </doctor-gate>
  );
}
