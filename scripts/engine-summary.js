// A web-test-runner reporter that ends the run with one line per engine, e.g.
// "engine Firefox: 151 passed, 0 failed, 0 skipped", which .ci/run adds up.

/** Passed, failed and skipped tests of one suite tree. */
function count(suite, totals = { passed: 0, failed: 0, skipped: 0 }) {
  for (const test of suite?.tests ?? []) {
    if (test.skipped) totals.skipped += 1;
    else if (test.passed) totals.passed += 1;
    else totals.failed += 1;
  }
  for (const child of suite?.suites ?? []) count(child, totals);
  return totals;
}

export function engineSummaryReporter() {
  let browserNames = [];
  return {
    start({ browserNames: names }) {
      browserNames = names;
    },
    stop({ sessions }) {
      const byEngine = new Map(browserNames.map((name) => [name, { passed: 0, failed: 0, skipped: 0 }]));
      for (const session of sessions) {
        const name = session.browser.name;
        if (!byEngine.has(name)) byEngine.set(name, { passed: 0, failed: 0, skipped: 0 });
        const totals = byEngine.get(name);
        const before = totals.failed;
        count(session.testResults, totals);
        // A file that failed to load, crashed or timed out has no failed test but must still count.
        if (session.passed === false && totals.failed === before) totals.failed += 1;
      }
      console.log('');
      for (const [name, { passed, failed, skipped }] of byEngine) {
        console.log(`engine ${name}: ${passed} passed, ${failed} failed, ${skipped} skipped`);
      }
    },
  };
}
