// The roster command line's own parts, in process: the RFC 4180 CSV parser, the roster readers and
// the progress display (dist/cli.js; `npm run build` first). The CLI as a process: cli-process.test.js.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv, CsvSyntaxError, rosterFromCsv, rosterFromJson, RosterError, Progress } from '../../dist/cli.js';

describe('CSV parser (RFC 4180)', () => {
  test('quoted fields keep commas, doubled quotes and line breaks; accents pass through', () => {
    const records = parseCsv('id,name\n1,"Gómez, Jr."\n2,"say ""hi"""\n3,"two\nlines"\n4,Zoë Müller\n');
    assert.deepEqual(
      records.map((r) => r.fields),
      [
        ['id', 'name'],
        ['1', 'Gómez, Jr.'],
        ['2', 'say "hi"'],
        ['3', 'two\nlines'],
        ['4', 'Zoë Müller'],
      ],
    );
  });

  test('a BOM is dropped, CRLF and lone CR end records, and line numbers count physical lines', () => {
    const records = parseCsv('\uFEFFid,name\r\n1,"a\r\nb"\r\n2,c\r3,d');
    assert.deepEqual(records[0].fields, ['id', 'name']);
    assert.deepEqual(
      records.map((r) => [r.line, ...r.fields]),
      [
        [1, 'id', 'name'],
        [2, '1', 'a\r\nb'],
        [4, '2', 'c'],
        [5, '3', 'd'],
      ],
    );
  });

  test('blank lines are skipped, a final line break makes no record, empty fields stay', () => {
    const records = parseCsv('a,b\n\n1,\n   \n,2\n');
    assert.deepEqual(
      records.map((r) => [r.line, r.fields]),
      [
        [1, ['a', 'b']],
        [3, ['1', '']],
        [5, ['', '2']],
      ],
    );
    assert.deepEqual(
      parseCsv('"",x').map((r) => r.fields),
      [['', 'x']],
    );
  });

  test('an unterminated quote is a syntax error naming the line it opened on', () => {
    assert.throws(
      () => parseCsv('id,name\n1,ok\n2,"never closed\n3,x\n'),
      (error) => error instanceof CsvSyntaxError && error.line === 3,
    );
  });

  test('text after a closing quote marks that record only', () => {
    const records = parseCsv('a,b\n"x"y,1\n2,3\n');
    assert.match(records[1].error, /after a closing quote/);
    assert.equal(records[2].error, undefined);
  });

  test('rosterFromCsv coerces typed fields and flags rows with the wrong number of fields', () => {
    const roster = rosterFromCsv(
      'id,name,specialityId,lang,female,hospital,email\nd1,Ana,3,es,Yes,7,\nd2,Bo,cardio,EN,no,x,a@b.c\nd3,Cy\n',
    );
    assert.deepEqual(roster.columns, ['id', 'name', 'specialityId', 'lang', 'female', 'hospital', 'email']);
    const [one, two, three] = roster.rows;
    assert.deepEqual(one, {
      line: 2,
      doctor: { id: 'd1', name: 'Ana', specialityId: 3, lang: 'ES', female: true, hospital: 7 },
    });
    assert.deepEqual(two.doctor, {
      id: 'd2',
      name: 'Bo',
      specialityId: 'cardio',
      lang: 'EN',
      female: false,
      hospital: 'x',
      email: 'a@b.c',
    });
    assert.equal(three.line, 4);
    assert.match(three.problem, /2 field\(s\) where the header has 7/);
  });

  test('a header naming a column twice, or an empty file, is refused', () => {
    assert.throws(() => rosterFromCsv('id,name,id\n1,a,2\n'), RosterError);
    assert.throws(() => rosterFromCsv('\uFEFF\r\n'), RosterError);
  });

  test('rosterFromJson takes an array of objects, indexes items, and coerces numeric strings', () => {
    const roster = rosterFromJson('[{"id":"a","specialityId":"2","lang":"fr"}, 5]');
    assert.deepEqual(roster.rows[0], { index: 0, doctor: { id: 'a', specialityId: 2, lang: 'FR' } });
    assert.equal(roster.rows[1].index, 1);
    assert.equal(roster.rows[1].problem, 'not a JSON object');
    assert.throws(() => rosterFromJson('{"id":"a"}'), RosterError);
    assert.throws(() => rosterFromJson('[{'), RosterError);
  });
});

describe('progress', () => {
  const stream = (isTTY) => ({
    isTTY,
    columns: 160,
    text: '',
    write(chunk) {
      this.text += chunk;
    },
  });
  const counts = (created, failed = 0) => ({ created, existing: 0, reactivated: 0, failed });

  test('on a terminal: one line redrawn in place with a bar, counts, rate and ETA', () => {
    let now = 0;
    const out = stream(true);
    const progress = new Progress(out, 200, { now: () => now });
    progress.start(0, counts(0));
    now = 1000;
    progress.update(100, counts(99, 1));
    now = 2000;
    progress.update(200, counts(199, 1));
    progress.stop();
    const frames = out.text.replace(/\n$/, '').split('\r\x1b[2K').filter(Boolean);
    assert.ok(frames.length >= 3);
    assert.equal(out.text.indexOf('\n'), out.text.length - 1, 'a single line until the end');
    // The bar's exact column layout is what is checked.
    assert.match(
      frames[1],
      // eslint-disable-next-line no-regex-spaces
      /^\[█{15}░{15}\] 100\/200  50%  created  99 · existing   0 · reactivated   0 · failed   1    100\/s  ETA  0:01$/,
    );
    assert.equal(new Set(frames.map((frame) => frame.length)).size, 1, 'every frame as wide as the others');
    assert.match(frames.at(-1), /^\[█{30}\] 200\/200 100%/);
  });

  test('elsewhere: plain lines at 10 % steps, not one per update', () => {
    let now = 0;
    const out = stream(false);
    const progress = new Progress(out, 1000, { now: () => now });
    progress.start(0, counts(0));
    for (let done = 1; done <= 1000; done++) {
      now += 1;
      progress.update(done, counts(done));
    }
    progress.stop();
    const lines = out.text.trim().split('\n');
    assert.equal(lines.length, 11);
    // eslint-disable-next-line no-control-regex -- no terminal escape may reach a non-TTY
    assert.doesNotMatch(out.text, /\r|\x1b/);
    assert.equal(
      lines.at(-1),
      'progress 1000/1000 (100%) created 1000, existing 0, reactivated 0, failed 0; 1000/s, ETA 0:00',
    );
  });
});
