import { css } from 'lit';

/** Public `--doctor-gate-*` tokens map to private `--_*` variables used below. */
export const styles = css`
  :host {
    --_accent: var(--doctor-gate-accent, #0b6bcb);
    --_on-accent: var(--doctor-gate-on-accent, #fff);
    --_radius: var(--doctor-gate-radius, 6px);
    --_error: var(--doctor-gate-error-color, #b3261e);
    --_muted: var(--doctor-gate-muted-color, #4a5560);
    --_frame-width: var(--doctor-gate-frame-width, 320px);
    --_frame-height: var(--doctor-gate-frame-height, 220px);
    --_frame-border: var(--doctor-gate-frame-border, 1px solid #c9d1d9);
    display: inline-block;
    font: var(--doctor-gate-font, inherit);
  }
  :host([hidden]) {
    display: none;
  }
  [part='button'] {
    font: inherit;
    cursor: pointer;
    padding: 0.5em 1em;
    border: 0;
    border-radius: var(--_radius);
    background: var(--_accent);
    color: var(--_on-accent);
  }
  [part='button']:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  [part='button'][aria-busy='true'] {
    cursor: progress;
    opacity: 0.85;
  }
  [part='status'] {
    margin-inline-start: 0.5em;
    color: var(--_muted);
    font-size: 0.9em;
  }
  [part='status'][role='alert'] {
    color: var(--_error);
  }
  [part='frame'] {
    /* A block of its own under the button; the host is inline-block, so any width applies. */
    display: block;
    box-sizing: border-box;
    margin-top: 0.5em;
    max-width: 100%;
    width: var(--_frame-width);
    height: var(--_frame-height);
    border: var(--_frame-border);
    border-radius: var(--_radius);
  }
`;
