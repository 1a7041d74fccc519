// An RFC 4180 CSV parser fed in pieces: quoted fields may hold commas, quotes ("") and line
// breaks; records end at \n, \r\n or \r; empty lines are skipped; a leading byte-order mark is
// dropped. Every record must have as many fields as the first. No stream or Buffer needed.
// Fields are slices of the text pushed: a caller that keeps one for long should copy it
// (see ownCopy in check-rows.ts), or it keeps the whole chunk alive.

const COMMA = 44, LF = 10, CR = 13, QUOTE = 34;

export class CsvSyntaxError extends Error {
  /** The record grew past the limit (not a syntax error as such). */
  tooLong: boolean;
  constructor(message: string, tooLong = false) {
    super(message);
    this.name = 'CsvSyntaxError';
    this.tooLong = tooLong;
  }
}

export class CsvRecords {
  private record: string[] = [];
  private field = '';
  /** 0 unquoted, 1 inside quotes, 2 just after a closing quote. */
  private quote = 0;
  private quoted = false;
  private pendingCr = false;
  private size = 0;
  private line = 1;
  private width = -1;
  private started = false;
  private readonly onRecord: (cells: string[]) => void;
  private readonly maxRecord: number;

  constructor(onRecord: (cells: string[]) => void, maxRecord: number) {
    this.onRecord = onRecord;
    this.maxRecord = maxRecord;
  }

  push(text: string): void {
    let i = 0;
    if (!this.started && text.length) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) i = 1;
    }
    const n = text.length;
    while (i < n) {
      if (this.pendingCr) {
        this.pendingCr = false;
        if (text.charCodeAt(i) === LF) { i++; continue; }
      }
      if (this.quote === 1) { i = this.quotedRun(text, i); continue; }
      const c = text.charCodeAt(i);
      if (c === COMMA || c === LF || c === CR || c === QUOTE) {
        this.grow(1);
        this.special(c);
        i++;
        continue;
      }
      if (this.quote === 2) throw new CsvSyntaxError(`invalid closing quote at line ${this.line}: a quoted field must be followed by a comma or the end of the line`);
      // A run of plain characters, taken as one slice (the common case: most fields are unquoted).
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === COMMA || d === LF || d === CR || d === QUOTE) break;
        j++;
      }
      this.grow(j - i);
      this.field = this.field === '' ? text.slice(i, j) : this.field + text.slice(i, j);
      i = j;
    }
  }

  /** Inside quotes: everything up to the next quote is the field's; returns where to go on. */
  private quotedRun(text: string, i: number): number {
    const q = text.indexOf('"', i);
    const end = q < 0 ? text.length : q;
    this.grow(end - i);
    const piece = text.slice(i, end);
    for (let nl = piece.indexOf('\n'); nl >= 0; nl = piece.indexOf('\n', nl + 1)) this.line++;
    this.field += piece;
    if (q < 0) return end;
    this.grow(1);
    this.quote = 2;
    return q + 1;
  }

  /** A comma, a line break or a quote outside a quoted field's text. */
  private special(c: number): void {
    if (this.quote === 2 && c === QUOTE) {
      this.field += '"';
      this.quote = 1;
    } else if (c === COMMA) {
      this.endField();
    } else if (c === LF || c === CR) {
      this.pendingCr = c === CR;
      this.endRecord();
      this.line++;
    } else {
      if (this.field !== '') throw new CsvSyntaxError(`invalid opening quote at line ${this.line}: a quote inside an unquoted field ("${this.field}")`);
      this.quote = 1;
      this.quoted = true;
    }
  }

  /** Counts characters of the record so far; a record past the limit stops here. */
  private grow(k: number): void {
    this.size += k;
    if (this.size > this.maxRecord) throw new CsvSyntaxError(`a record is longer than ${this.maxRecord} characters`, true);
  }

  end(): void {
    if (this.quote === 1) throw new CsvSyntaxError(`quote not closed: the field opened on line ${this.line - (this.field.split('\n').length - 1)} never ends`);
    if (this.record.length || this.field !== '' || this.quoted) this.endRecord();
  }

  private endField(): void {
    this.record.push(this.field);
    this.field = '';
    this.quote = 0;
    this.quoted = false;
  }

  private endRecord(): void {
    const empty = this.record.length === 0 && this.field === '' && !this.quoted;
    this.endField();
    const rec = this.record;
    this.record = [];
    this.size = 0;
    if (empty) return;
    if (this.width < 0) this.width = rec.length;
    else if (rec.length !== this.width) throw new CsvSyntaxError(`record on line ${this.line} has ${rec.length} fields, the header has ${this.width}`);
    this.onRecord(rec);
  }
}
