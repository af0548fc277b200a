// React 19 server rendering, then hydration: Node renders the page with react-dom/server (the
// test runner's `/__ssr__`, see server.mjs), the browser parses that HTML, registers the tag,
// hydrates with hydrateRoot, and the gate provisions over HTTP on the sandbox.
import { expect } from '@open-wc/testing';
import { createRef } from 'react';
import { hydrateRoot, type Root } from 'react-dom/client';
import { clearProvisionCache, type DoctorGate, type ProvisionedDetail } from '../../../src/index.js';
import '../../../src/define.js';
import { API, PROVIDER, TOKEN, requests, uid, userState, waitFor } from '../../browser/helpers.js';
import { Page, type PageProps } from './app.js';

/** A click on the hydrated gate creates the new doctor: one check (404), then the created account. */
async function clickCreates(gate: DoctorGate, provisioned: ProvisionedDetail[], asked: () => number, id: string) {
  gate.shadowRoot!.querySelector('button')!.click();
  await waitFor(() => provisioned.length > 0 || gate.state === 'error');
  expect(gate.state).to.equal('ready');
  expect(provisioned.map((detail) => detail.outcome)).to.deep.equal(['created']);
  expect(asked()).to.be.greaterThan(0);
  expect((await requests(id)).map((r) => `${r.method} ${r.status}`)).to.deep.equal(['GET 404']);
  expect(await userState(id)).to.include({ exists: true, active: true });
}

describe('React 19 server rendering and hydration', () => {
  let host: HTMLDivElement;
  let root: Root | undefined;
  const errors: unknown[] = [];
  const recoverable = (error: unknown) => errors.push(error);

  beforeEach(() => {
    host = document.createElement('div');
    document.body.append(host);
    errors.length = 0;
  });
  afterEach(() => {
    root?.unmount();
    root = undefined;
    host.remove();
    clearProvisionCache();
  });

  /** The page as the server sends it, parsed into the document, then hydrated with the client's props. */
  async function serverRenderThenHydrate(variant: PageProps['variant'], doctorId: string) {
    const server = { variant, apiBase: API, providerId: PROVIDER, doctorId };
    const response = await fetch(`/__ssr__?${new URLSearchParams(server)}`);
    expect(response.status).to.equal(200);
    const html = await response.text();
    host.innerHTML = html;
    const serverGate = host.querySelector('doctor-gate')!;
    const provisioned: ProvisionedDetail[] = [];
    let asked = 0;
    const gateRef = createRef<DoctorGate>();
    root = hydrateRoot(
      host,
      <Page
        {...server}
        gateRef={gateRef}
        tokenProvider={async () => (asked++, TOKEN)}
        onProvisioned={(detail) => provisioned.push(detail)}
      />,
      { onRecoverableError: recoverable },
    );
    await waitFor(() => gateRef.current !== null);
    return { html, serverGate, gate: gateRef.current!, provisioned, asked: () => asked };
  }

  for (const variant of ['wrapper', 'tag'] as const) {
    it(`${variant === 'wrapper' ? '<DoctorGateReact>' : 'the raw tag, kebab-case attributes and a ref'}: hydrates onto the server's element and provisions`, async () => {
      const id = uid(`ssr-${variant}`);
      const { html, serverGate, gate, provisioned, asked } = await serverRenderThenHydrate(variant, id);

      // Nothing secret or functional was serialized; the raw tag's attributes are the ones the gate reads.
      expect(html).not.to.include(TOKEN);
      if (variant === 'tag') expect(html).to.include(`api-base="${API}"`).and.include(`provider-id="${PROVIDER}"`);
      // Hydration adopted the server's element instead of replacing it.
      expect(gate).to.equal(serverGate);
      expect(gate.apiBase).to.equal(API);
      expect(gate.providerId).to.equal(PROVIDER);
      expect(typeof gate.tokenProvider).to.equal('function');

      await clickCreates(gate, provisioned, asked, id);
      expect(errors).to.deep.equal([]);
    });
  }

  it('camelCase props on the raw tag: the server writes `apibase`, the gate reads it as `api-base`, and provisions', async () => {
    const id = uid('ssr-camel');
    const { html, serverGate, gate, provisioned, asked } = await serverRenderThenHydrate('camel-case-tag', id);
    // What React 19's server renderer writes, and what hydration leaves: attributes, no property set by React.
    expect(html).to.include(`apiBase="${API}"`).and.include(`providerId="${PROVIDER}"`);
    expect(html).not.to.include(TOKEN);
    expect(gate).to.equal(serverGate);
    expect(gate.hasAttribute('apibase')).to.equal(true);
    expect(gate.getAttribute('api-base')).to.equal(null);
    // The lowercase spellings are aliases of the kebab-case attributes.
    expect([
      gate.apiBase,
      gate.providerId,
      gate.doctorId,
      gate.doctorName,
      gate.specialityId,
      gate.doctorLang,
    ]).to.deep.equal([API, PROVIDER, id, 'Ana', 1, 'EN']);

    await clickCreates(gate, provisioned, asked, id);
    expect(errors).to.deep.equal([]);
  });
});
