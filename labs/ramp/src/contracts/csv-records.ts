// An RFC 4180 CSV parser fed in pieces: quoted fields may hold commas, quotes ("") and line
// breaks; records end at \n, \r\n or \r; empty lines are skipped; a leading byte-order mark is
// dropped. Every record must have as many fields as the first. No stream or Buffer needed.

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
    if (!this.started) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) i = 1;
    }
    for (; i < text.length; i++) {
      const c = text[i]!;
      if (this.pendingCr) {
        this.pendingCr = false;
        if (c === '\n') continue;
      }
      if (++this.size > this.maxRecord) throw new CsvSyntaxError(`a record is longer than ${this.maxRecord} characters`, true);
      if (this.quote === 1) {
        if (c === '"') this.quote = 2;
        else {
          if (c === '\n') this.line++;
          this.field += c;
        }
      } else if (this.quote === 2 && c === '"') {
        this.field += '"';
        this.quote = 1;
      } else if (c === ',') {
        this.endField();
      } else if (c === '\n' || c === '\r') {
        this.pendingCr = c === '\r';
        this.endRecord();
        this.line++;
      } else if (this.quote === 2) {
        throw new CsvSyntaxError(`invalid closing quote at line ${this.line}: a quoted field must be followed by a comma or the end of the line`);
      } else if (c === '"') {
        if (this.field !== '') throw new CsvSyntaxError(`invalid opening quote at line ${this.line}: a quote inside an unquoted field ("${this.field}")`);
        this.quote = 1;
        this.quoted = true;
      } else {
        this.field += c;
      }
    }
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
