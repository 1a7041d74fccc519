// `--log-predictions DIR`: each version appends what it saw and answered to DIR/NAME-VERSION.csv
// (the model's input columns, then model_version and prediction), rotated by size, so that
// `ramp drift --current DIR/NAME-VERSION.csv` reads what production saw.
import type { RampFs } from '../host.ts';
import { exists } from '../files.ts';
import { join } from '../path.ts';
import type { Model } from '../estimators/index.ts';
import type { Rows } from '../input.ts';

export const DEFAULT_LOG_BYTES = 64 * 1024 * 1024;

function csvCell(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

const UTF8 = new TextEncoder();

/** Lines are appended in batches (after the current request), and at once on close. */
export class PredictionLog {
  readonly file: string;
  private readonly fs: RampFs;
  private pending = '';
  private timer: ReturnType<typeof setTimeout> | null = null;
  private bytes: number;
  private readonly header: string;
  private readonly model: Model;
  private readonly version: string;
  private readonly maxBytes: number;

  constructor(fs: RampFs, dir: string, name: string, version: string, model: Model, maxBytes = DEFAULT_LOG_BYTES) {
    this.fs = fs;
    fs.mkdir(dir, { recursive: true });
    this.file = join(dir, `${name}-${version}.csv`);
    this.model = model;
    this.version = version;
    this.maxBytes = maxBytes;
    this.header = `${[...model.inputs.map((c, j) => c.name ?? `feature_${j}`), 'model_version', 'prediction'].map(csvCell).join(',')}\n`;
    this.bytes = exists(fs, this.file) ? fs.stat(this.file).size : 0;
    this.open();
  }

  private open(): void {
    if (this.bytes === 0) { this.fs.appendFile(this.file, this.header); this.bytes = this.header.length; }
  }

  private write(chunk: string): void {
    this.pending += chunk;
    this.timer ??= setTimeout(() => this.flush(), 0);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending) this.fs.appendFile(this.file, this.pending);
    this.pending = '';
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
    this.write(chunk);
    this.bytes += UTF8.encode(chunk).length;
  }

  /** The full file moves to NAME-VERSION.<n>.csv; a new one starts with the header. */
  private rotate(): void {
    this.flush();
    let n = 1;
    while (exists(this.fs, this.file.replace(/\.csv$/, `.${n}.csv`))) n++;
    this.fs.rename(this.file, this.file.replace(/\.csv$/, `.${n}.csv`));
    this.bytes = 0;
    this.open();
  }

  close(): Promise<void> {
    this.flush();
    return Promise.resolve();
  }
}
