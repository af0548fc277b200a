/**
 * Runs shared by key between concurrent requests: the first starts the work, later ones join it.
 * Each caller leaves when its own `signal` aborts (its client went away); the work's own signal
 * aborts only when every caller has left, so no vendor call or retry runs for nobody.
 */
export function sharedRun<T>() {
  const runs = new Map<string, { controller: AbortController; waiting: number; promise: Promise<T> }>();
  return (key: string, signal: AbortSignal, work: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    signal.throwIfAborted();
    let run = runs.get(key);
    if (!run) {
      const controller = new AbortController();
      const started = { controller, waiting: 0, promise: Promise.resolve().then(() => work(controller.signal)) };
      runs.set(key, (run = started));
      started.promise.finally(() => runs.get(key) === started && runs.delete(key)).catch(() => undefined);
    }
    const joined = run;
    joined.waiting++;
    return new Promise<T>((resolve, reject) => {
      const leave = () => {
        joined.waiting--;
        signal.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        leave();
        reject(signal.reason);
        if (joined.waiting === 0) {
          joined.controller.abort(signal.reason);
          if (runs.get(key) === joined) runs.delete(key);
        }
      };
      signal.addEventListener('abort', onAbort, { once: true });
      joined.promise.then(
        (value) => (leave(), resolve(value)),
        (error: unknown) => (leave(), reject(error)),
      );
    });
  };
}
