// ramp's streaming CSV reader (labs/ramp/src/contracts/csv-records.ts) and the date rule of data
// contracts: RFC 4180 cases, errors with line numbers, and the same records however the text is cut.
import { describe, expect, it } from 'vitest';
import { CsvRecords, CsvSyntaxError } from '../../../labs/ramp/src/contracts/csv-records.ts';
import { isDate } from '../../../labs/ramp/src/contracts/check-rows.ts';

function parse(pieces: string[], max = 1 << 20): string[][] {
  const out: string[][] = [];
  const p = new CsvRecords((r) => out.push(r), max);
  for (const piece of pieces) p.push(piece);
  p.end();
  return out;
}

function error(text: string, max = 1 << 20): CsvSyntaxError {
  try {
    parse([text], max);
  } catch (e) {
    return e as CsvSyntaxError;
  }
  throw new Error(`no error for ${JSON.stringify(text)}`);
}

const TRICKY = '\ufeffid,note,n\r\n1,"a, b",2\n2,"say ""hi""",3\r3,"two\nlines",4\n\n4,,\n5,"",6';
const EXPECTED = [
  ['id', 'note', 'n'],
  ['1', 'a, b', '2'],
  ['2', 'say "hi"', '3'],
  ['3', 'two\nlines', '4'],
  ['4', '', ''],
  ['5', '', '6'],
];

describe('CsvRecords', () => {
  it('reads quoted commas, doubled quotes, line breaks in quotes, CRLF, CR, a BOM, and skips empty lines', () => {
    expect(parse([TRICKY])).toEqual(EXPECTED);
  });

  it('gives the same records wherever the text is cut, in two pieces or one character at a time', () => {
    for (let cut = 0; cut <= TRICKY.length; cut++) expect(parse([TRICKY.slice(0, cut), TRICKY.slice(cut)]), `cut at ${cut}`).toEqual(EXPECTED);
    expect(parse([...TRICKY])).toEqual(EXPECTED);
  });

  it('ends the last record without a final newline, and keeps a record that is one quoted empty field', () => {
    expect(parse(['a\n1'])).toEqual([['a'], ['1']]);
    expect(parse(['a\n""\n'])).toEqual([['a'], ['']]);
  });

  it('names the line of each syntax error', () => {
    expect(error('a,b\n1,2\n3\n').message).toBe('record on line 3 has 1 fields, the header has 2');
    expect(error('a\n"x"y\n').message).toMatch(/^invalid closing quote at line 2/);
    expect(error('a\nx"y"\n').message).toMatch(/^invalid opening quote at line 2: a quote inside an unquoted field \("x"\)/);
    expect(error('a\n"never\nends').message).toMatch(/^quote not closed: the field opened on line 2/);
    expect(error('a,b\n"x\ny",1\n2\n').message).toBe('record on line 4 has 1 fields, the header has 2');
  });

  it('stops at a record longer than the limit, quoted or not, and says it is the length', () => {
    for (const text of ['a\n' + 'x'.repeat(100) + '\n', 'a\n"' + 'x'.repeat(100) + '"\n']) {
      const e = error(text, 50);
      expect(e.tooLong).toBe(true);
      expect(e.message).toBe('a record is longer than 50 characters');
    }
    expect(parse(['a\n' + 'x'.repeat(49) + '\n'], 50)).toEqual([['a'], ['x'.repeat(49)]]);
  });
});

describe('isDate', () => {
  it('takes real days only, leap years included', () => {
    for (const d of ['2026-03-01', '2024-02-29', '2000-02-29', '1999-12-31', '2026-04-30']) expect(isDate(d), d).toBe(true);
    for (const d of ['2026-02-29', '1900-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-01-00', '2026-1-01', '2026/01/01', '2026-01-01T00:00:00Z', '２０２６-01-01', '', 'abcd-ef-gh']) expect(isDate(d), d).toBe(false);
  });
});
