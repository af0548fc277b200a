/** Row outcomes counted while a run goes on. */
export interface Counts {
  created: number;
  existing: number;
  reactivated: number;
  failed: number;
}

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const REDRAW_MS = 100;
const PLAIN_EVERY_MS = 2000;

/** "0:07", "12:03", "1:02:03"; "--:--" when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** "850/s", "6.2/s". */
const formatRate = (rate: number): string => `${rate >= 100 ? Math.round(rate) : rate.toFixed(1)}/s`;

/**
 * Progress on stderr: on a terminal one line redrawn in place (bar, done/total, counts, rate, ETA);
 * elsewhere (CI logs, a pipe) a plain line at every 10 % and at most every 2 s otherwise.
 */
export class Progress {
  readonly #stream: ProgressStream;
  readonly #tty: boolean;
  readonly #total: number;
  readonly #now: () => number;
  #startedAt = 0;
  #doneAtStart = 0;
  #done = 0;
  #counts: Counts = { created: 0, existing: 0, reactivated: 0, failed: 0 };
  #lastDraw = 0;
  #lastPlain = 0;
  #lastDecile = -1;
  #dirty = false;
  #timer?: ReturnType<typeof setInterval>;
  #drawn = false;

  /** What the second count is called (reconcile counts deactivations there). */
  readonly #second: string;

  constructor(
    stream: ProgressStream,
    total: number,
    options: { tty?: boolean; now?: () => number; secondLabel?: string } = {},
  ) {
    this.#second = options.secondLabel ?? 'existing';
    this.#stream = stream;
    this.#tty = options.tty ?? stream.isTTY === true;
    this.#total = total;
    this.#now = options.now ?? (() => performance.now());
  }

  /** `done` rows are settled before any request (bad rows): they do not count towards the rate. */
  start(done: number, counts: Counts): void {
    this.#startedAt = this.#now();
    this.#doneAtStart = done;
    this.#done = done;
    this.#counts = { ...counts };
    this.#lastPlain = this.#startedAt;
    if (this.#tty) this.#draw(true);
    else this.#plain();
    // Plain mode: a heartbeat line when something changed but no 10 % step was crossed.
    this.#timer = setInterval(
      () => (this.#tty ? this.#draw(true) : this.#dirty && this.#plain()),
      this.#tty ? 1000 : PLAIN_EVERY_MS,
    );
    this.#timer.unref?.();
  }

  update(done: number, counts: Counts): void {
    this.#done = done;
    this.#counts = { ...counts };
    this.#dirty = true;
    if (this.#tty) return this.#draw(false);
    const decile = this.#total ? Math.floor((done / this.#total) * 10) : 10;
    if (decile > this.#lastDecile || this.#now() - this.#lastPlain >= PLAIN_EVERY_MS) this.#plain();
  }

  /** A line of its own (a notice) without garbling the bar. */
  note(text: string): void {
    if (this.#tty && this.#drawn) {
      this.#stream.write(`\r\x1b[2K${text}\n`);
      this.#draw(true);
    } else {
      this.#stream.write(`${text}\n`);
    }
  }

  stop(): void {
    clearInterval(this.#timer);
    if (this.#tty) {
      this.#draw(true);
      this.#stream.write('\n');
    } else if (this.#dirty) {
      this.#plain();
    }
  }

  #stats() {
    const elapsed = (this.#now() - this.#startedAt) / 1000;
    const sent = this.#done - this.#doneAtStart;
    const rate = elapsed > 0 && sent > 0 ? sent / elapsed : 0;
    const eta = rate > 0 ? (this.#total - this.#done) / rate : Number.NaN;
    const pct = this.#total ? Math.floor((this.#done / this.#total) * 100) : 100;
    const { created, existing, reactivated, failed } = this.#counts;
    return { rate, eta, pct, created, existing, reactivated, failed };
  }

  #plain(): void {
    const s = this.#stats();
    this.#lastPlain = this.#now();
    this.#lastDecile = this.#total ? Math.floor((this.#done / this.#total) * 10) : 10;
    this.#dirty = false;
    this.#stream.write(
      `progress ${this.#done}/${this.#total} (${s.pct}%) created ${s.created}, ${this.#second} ${s.existing}, ` +
        `reactivated ${s.reactivated}, failed ${s.failed}; ${formatRate(s.rate)}, ETA ${formatDuration(s.eta)}\n`,
    );
  }

  #draw(force: boolean): void {
    const now = this.#now();
    if (!force && now - this.#lastDraw < REDRAW_MS && this.#done < this.#total) return;
    this.#lastDraw = now;
    const s = this.#stats();
    const columns = this.#stream.columns || 80;
    // Numbers padded to the total's width and a fixed-width rate: the line keeps its length, so the bar does not jitter.
    const digits = String(this.#total).length;
    const n = (value: number) => String(value).padStart(digits);
    const counter = `${n(this.#done)}/${this.#total} ${String(s.pct).padStart(3)}%`;
    const speed = `${formatRate(s.rate).padStart(7)}  ETA ${formatDuration(s.eta).padStart(5)}`;
    // Narrower terminals get shorter count labels, then no bar: the line must never wrap.
    const tails = [
      `created ${n(s.created)} · ${this.#second} ${n(s.existing)} · reactivated ${n(s.reactivated)} · failed ${n(s.failed)}`,
      `created ${n(s.created)} exist ${n(s.existing)} react ${n(s.reactivated)} fail ${n(s.failed)}`,
      `C${s.created} E${s.existing} R${s.reactivated} F${s.failed}`,
    ].map((counts) => `${counter}  ${counts}  ${speed}`);
    const tail = tails.find((candidate) => candidate.length + 14 < columns) ?? tails.at(-1)!;
    const width = Math.min(30, columns - tail.length - 4);
    const filled = this.#total ? Math.round((this.#done / this.#total) * width) : width;
    const line = width >= 10 ? `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${tail}` : tail;
    // Never wrap: a wrapped line could not be redrawn in place with \r.
    this.#stream.write(`\r\x1b[2K${line.slice(0, Math.max(1, columns - 1))}`);
    this.#drawn = true;
  }
}
