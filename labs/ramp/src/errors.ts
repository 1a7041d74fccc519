// Typed errors. Every failure ramp reports maps to one of these classes and
// one exit code (see README "Exit codes").

export const EXIT = {
  OK: 0,
  ERROR: 1,
  USAGE: 2,
  UNSAFE: 3,
  MALFORMED: 4,
  /** Safe to load, but a step ramp cannot run yet. */
  UNSUPPORTED: 5,
  /** The release bar is not met: `ramp validate` found a regression, `ramp drift` found drift. */
  BAR_NOT_MET: 6,
} as const;

export class RampError extends Error {
  code: string;
  hint: string;
  exitCode: number;
  constructor(message: string, opts: { code?: string; hint?: string; exitCode?: number } = {}) {
    super(message);
    this.name = 'RampError';
    this.code = opts.code ?? 'error';
    this.hint = opts.hint ?? '';
    this.exitCode = opts.exitCode ?? EXIT.ERROR;
  }
}

export class UsageError extends RampError {
  constructor(message: string, hint = 'Run `ramp --help` for usage.') {
    super(message, { code: 'usage', hint, exitCode: EXIT.USAGE });
    this.name = 'UsageError';
  }
}

export interface Finding {
  /** 'global' (a name outside the allow-list) or 'opcode' (a refused opcode) or 'structure'. */
  kind: 'global' | 'opcode' | 'structure';
  /** The global (module.name) or opcode name. */
  what: string;
  /** Byte offset of the opcode in the (decompressed) pickle stream. */
  offset: number;
  why: string;
}

/** The file would run code or reach a name outside the allow-list. Exit 3. */
export class UnsafePickleError extends RampError {
  findings: Finding[];
  offset: number;
  constructor(message: string, offset: number, findings: Finding[] = []) {
    super(message, {
      code: 'unsafe',
      hint: 'Do not load this file with pickle/joblib. Re-export the model from a trusted training run and scan the new file.',
      exitCode: EXIT.UNSAFE,
    });
    this.name = 'UnsafePickleError';
    this.offset = offset;
    this.findings = findings;
  }
}

/** The file is not a well-formed pickle/joblib file. Exit 4. */
export class MalformedPickleError extends RampError {
  offset: number;
  constructor(message: string, offset = -1, hint = 'The file is corrupt, truncated or not a scikit-learn pickle/joblib file. Re-export it with joblib.dump(model, "model.joblib").') {
    super(offset >= 0 ? `${message} (at byte ${offset})` : message, { code: 'malformed', hint, exitCode: EXIT.MALFORMED });
    this.name = 'MalformedPickleError';
    this.offset = offset;
  }
}

/** A size limit, for files that may simply be large; --max-bytes raises it. */
export const SIZE_LIMIT_HINT = 'If the file is trusted and genuinely this large, raise the limit with --max-bytes.';

/** A resource limit was exceeded. Exit 4. */
export class LimitError extends RampError {
  offset: number;
  constructor(message: string, offset = -1, hint = 'No scikit-learn model needs this: the file is corrupt or built to exhaust memory. Do not load it elsewhere either.') {
    super(offset >= 0 ? `${message} (at byte ${offset})` : message, { code: 'limit', hint, exitCode: EXIT.MALFORMED });
    this.name = 'LimitError';
    this.offset = offset;
  }
}

/** Valid, safe file, but with a step ramp cannot run yet. Exit 5: never "unsafe". */
export class UnsupportedEstimatorError extends RampError {
  constructor(message: string, supported: readonly string[], advice = '') {
    super(message, {
      code: 'unsupported_estimator',
      hint: `${advice ? `${advice} ` : ''}The file is safe to load; ramp runs: ${supported.join(', ')}.`,
      exitCode: EXIT.UNSUPPORTED,
    });
    this.name = 'UnsupportedEstimatorError';
  }
}

/** Input rows that do not fit the model. Exit 1 in the CLI, 400 over HTTP. */
export class InputError extends RampError {
  constructor(message: string, hint = 'Check the number of features with `ramp inspect <model>`.') {
    super(message, { code: 'bad_input', hint, exitCode: EXIT.ERROR });
    this.name = 'InputError';
  }
}

export function isTypedPickleError(e: unknown): boolean {
  return e instanceof UnsafePickleError || e instanceof MalformedPickleError || e instanceof LimitError || e instanceof UnsupportedEstimatorError;
}
