import { html, nothing } from 'lit';
import type { ReadinessGap } from '../core/types.js';
import type { UiKey } from './i18n.js';

type Translate = (key: UiKey, value?: string) => string;

/**
 * The iframe of `mode="iframe"`. `allow` is set before the frame is in the document: the policy is
 * fixed when it navigates (by `location`, never a `src`).
 */
export const frameTemplate = (frame: { allow: string } | undefined, t: Translate) =>
  frame
    ? html`<iframe part="frame" title=${t('frame')} allow=${frame.allow} referrerpolicy="no-referrer"></iframe>`
    : nothing;

/** Provisioned but not ready to work in the app (Prescrypto: prescribe): what is missing; the app still opens. */
export const noticeTemplate = (missing: readonly ReadinessGap[] | undefined, t: Translate) =>
  missing?.length
    ? html`<span part="notice" role="status">${t('not-ready', missing.map((gap) => t(gap)).join(', '))}</span>`
    : nothing;
