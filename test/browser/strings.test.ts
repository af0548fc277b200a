// registerStrings(): the page replaces the gate's UI strings per language; keys left out keep the
// built-in text, other languages are untouched, and a string is always text, never markup.
import { expect } from '@open-wc/testing';
import { registerStrings } from '../../src/index.js';
import { gate, until } from './helpers.js';
import type { ErrorDetail } from '../../src/index.js';

const button = (el: HTMLElement) => el.shadowRoot!.querySelector('[part=button]')!;
const status = (el: HTMLElement) => el.shadowRoot!.querySelector('[part=status]')!;

describe('registerStrings', () => {
  after(() => registerStrings('EN', { open: 'Open %s', config: 'Invalid configuration: %s' }));

  it('replaces a string in one language, with %s filled, and leaves the other languages as built', async () => {
    registerStrings('en', { open: 'Launch %s now' });
    const english = await gate({ attrs: { 'doctor-lang': 'EN' } });
    const spanish = await gate({ attrs: { 'doctor-lang': 'ES' } });
    expect(button(english).textContent!.trim()).to.equal('Launch Speaknosis now');
    expect(button(spanish).textContent!.trim()).to.equal('Abrir Speaknosis');
  });

  it('merges later calls, and a region tag counts as its language (es-MX → ES)', async () => {
    registerStrings('es-MX', { open: 'Entrar en %s' });
    registerStrings('ES', { ready: 'Lista' });
    const el = await gate({ attrs: { 'doctor-lang': 'ES' } });
    expect(button(el).textContent!.trim()).to.equal('Entrar en Speaknosis');
  });

  it('reaches error messages too: the event detail and the visible status', async () => {
    registerStrings('EN', { config: 'Settings are wrong: %s' });
    const el = document.createElement('doctor-gate');
    el.setAttribute('doctor-lang', 'EN');
    el.setAttribute('api-base', 'http://insecure.example/api');
    const error = until<CustomEvent<ErrorDetail>>(el, 'doctor-gate-error');
    document.body.append(el);
    const { detail } = await error;
    await el.updateComplete;
    expect(detail.code).to.equal('config');
    expect(detail.displayMessage.startsWith('Settings are wrong: ')).to.equal(true);
    expect(status(el).textContent).to.equal(detail.displayMessage);
    el.remove();
  });

  it('shows a registered string as text, never as markup', async () => {
    registerStrings('FR', { open: '<img src=x onerror="window.__pwned = 1"> %s' });
    const el = await gate({ attrs: { 'doctor-lang': 'FR' } });
    expect(button(el).textContent!.trim()).to.equal('<img src=x onerror="window.__pwned = 1"> Speaknosis');
    expect(el.shadowRoot!.querySelector('img')).to.equal(null);
    expect((window as { __pwned?: number }).__pwned).to.equal(undefined);
  });

  it('refuses a value that is not a string, and keeps the strings it had', async () => {
    expect(() => registerStrings('PT', { open: 42 as unknown as string })).to.throw(TypeError, '"open"');
    const el = await gate({ attrs: { 'doctor-lang': 'PT' } });
    expect(button(el).textContent!.trim()).to.equal('Abrir Speaknosis');
  });
});

describe('registerStrings on gates already rendered', () => {
  after(() => registerStrings('EN', { open: 'Open %s', ready: 'Account ready' }));

  it('re-renders a connected gate at once: the button and the status', async () => {
    const el = await gate({ attrs: { 'doctor-lang': 'EN' } });
    await el.provision();
    await el.updateComplete;
    expect(button(el).textContent!.trim()).to.equal('Open Speaknosis');
    expect(status(el).textContent).to.equal('Account ready');
    registerStrings('EN', { open: 'Go to %s', ready: 'All set' });
    expect(el.isUpdatePending).to.equal(true);
    await el.updateComplete;
    expect(button(el).textContent!.trim()).to.equal('Go to Speaknosis');
    expect(status(el).textContent).to.equal('All set');
  });

  it('leaves a removed gate alone, and follows again once it is back in the page', async () => {
    const el = await gate({ attrs: { 'doctor-lang': 'EN' } });
    const parent = el.parentElement!;
    el.remove();
    registerStrings('EN', { open: 'Removed %s' });
    expect(el.isUpdatePending).to.equal(false);
    parent.append(el);
    await el.updateComplete;
    registerStrings('EN', { open: 'Back to %s' });
    await el.updateComplete;
    expect(button(el).textContent!.trim()).to.equal('Back to Speaknosis');
  });
});
