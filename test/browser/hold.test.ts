import { expect } from '@open-wc/testing';
import { clearProvisionCache } from '../../src/index.js';
import { API, control, gate, hold, PROVIDER, TOKEN, uid } from './helpers.js';

describe('held checks (the tests’ own tool)', () => {
  afterEach(() => clearProvisionCache());

  it('a held check keeps the gate in "checking" until released, then the run goes on', async () => {
    const id = uid('held');
    const check = await hold({ match: { method: 'GET', path: id } });
    const el = await gate({ doctorId: id, attrs: { mode: 'none' } });
    const run = el.provision();
    const [held] = await check.arrived();
    expect([held!.method, held!.path.endsWith(id)]).to.deep.equal(['GET', true]);
    expect(el.state).to.equal('checking');
    expect(await check.release()).to.equal(1);
    expect((await run).outcome).to.equal('created');
  });

  let leftHeld: Promise<Response> | undefined;
  it('(a test that ends with a request still held)', async () => {
    const check = await hold({ match: { method: 'GET', path: `/provider/${PROVIDER}/user/doc-ana` } });
    // A request no element owns (for a fixture doctor, so it answers 200): nothing aborts it when the test ends.
    leftHeld = fetch(`${API}/provider/${PROVIDER}/user/doc-ana`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    await check.arrived();
  });

  it('the helpers release what the test before left held, and withdraw its hold', async () => {
    // Were it still held, this would wait for the hold's own 60 s, past the test's timeout.
    expect((await leftHeld!).status).to.equal(200);
    expect((await control<{ held: unknown[] }>('held')).held).to.deep.equal([]);
    const { faults } = await control<{ faults: { kind: string }[] }>('faults');
    expect(faults.filter((fault) => fault.kind === 'hold')).to.deep.equal([]);
  });
});
