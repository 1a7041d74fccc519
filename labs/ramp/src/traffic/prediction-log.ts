// `--log-predictions DIR`: each version appends what it saw and answered to DIR/NAME-VERSION.csv
// (the model's input columns, then model_version and prediction), rotated by size, so that
// `ramp drift --current DIR/NAME-VERSION.csv` reads what production saw.
import { createWriteStream, existsSync, mkdirSync, renameSync, statSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Model } from '../estimators/index.ts';
import type { Rows } from '../input.ts';

export const DEFAULT_LOG_BYTES = 64 * 1024 * 1024;

function csvCell(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export class PredictionLog {
  readonly file: string;
  private out: WriteStream;
  private bytes: number;
  private readonly header: string;
  private readonly model: Model;
  private readonly version: string;
  private readonly maxBytes: number;

  constructor(dir: string, name: string, version: string, model: Model, maxBytes = DEFAULT_LOG_BYTES) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, `${name}-${version}.csv`);
    this.model = model;
    this.version = version;
    this.maxBytes = maxBytes;
    this.header = `${[...model.inputs.map((c, j) => c.name ?? `feature_${j}`), 'model_version', 'prediction'].map(csvCell).join(',')}\n`;
    this.bytes = existsSync(this.file) ? statSync(this.file).size : 0;
    this.out = this.open();
  }

  private open(): WriteStream {
    const s = createWriteStream(this.file, { flags: 'a' });
    if (this.bytes === 0) { s.write(this.header); this.bytes = this.header.length; }
    return s;
  }

  /** One line per row: the inputs as received (empty when missing), the version, the prediction. */
  record(rows: Rows, predict: string): void {
    const f = this.model.nFeatures;
    const labels = predict ? (JSON.parse(`[${predict}]`) as unknown[]) : [];
    const per = labels.length / Math.max(1, rows.n);
    let chunk = '';
    for (let i = 0; i < rows.n; i++) {
      const cells: string[] = [];
      for (let j = 0; j < f; j++) {
        const t = rows.text?.[i * f + j];
        const v = rows.data[i * f + j]!;
        cells.push(typeof t === 'string' ? csvCell(t) : v === v ? String(v) : '');
      }
      const p = per === 1 ? labels[i] : labels.slice(i * per, (i + 1) * per).join(' ');
      cells.push(csvCell(this.version), p === undefined ? '' : csvCell(String(p)));
      chunk += `${cells.join(',')}\n`;
    }
    if (this.bytes + chunk.length > this.maxBytes && this.bytes > this.header.length) this.rotate();
    this.out.write(chunk);
    this.bytes += Buffer.byteLength(chunk);
  }

  /** The full file moves to NAME-VERSION.<n>.csv; a new one starts with the header. */
  private rotate(): void {
    this.out.end();
    let n = 1;
    while (existsSync(this.file.replace(/\.csv$/, `.${n}.csv`))) n++;
    renameSync(this.file, this.file.replace(/\.csv$/, `.${n}.csv`));
    this.bytes = 0;
    this.out = this.open();
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(resolve));
  }
}
