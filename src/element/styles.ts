import { css } from 'lit';

/** Each public `--doctor-gate-*` token is read where it applies, with its default beside it. */
export const styles = css`
  :host {
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
    border-radius: var(--doctor-gate-radius, 6px);
    background: var(--doctor-gate-accent, #0b6bcb);
    color: var(--doctor-gate-on-accent, #fff);
  }
  [part='button']:focus-visible {
    outline: 2px solid var(--doctor-gate-accent, #0b6bcb);
    outline-offset: 2px;
  }
  [part='button'][aria-busy='true'] {
    cursor: progress;
    opacity: 0.85;
  }
  [part='status'],
  [part='notice'] {
    margin-inline-start: 0.5em;
    color: var(--doctor-gate-muted-color, #4a5560);
    font-size: 0.9em;
  }
  [part='status'][role='alert'] {
    color: var(--doctor-gate-error-color, #b3261e);
  }
  [part='frame'] {
    /* A block of its own under the button; the host is inline-block, so any width applies. */
    display: block;
    box-sizing: border-box;
    margin-top: 0.5em;
    max-width: 100%;
    width: var(--doctor-gate-frame-width, 320px);
    height: var(--doctor-gate-frame-height, 220px);
    border: var(--doctor-gate-frame-border, 1px solid #c9d1d9);
    border-radius: var(--doctor-gate-radius, 6px);
  }
`;
