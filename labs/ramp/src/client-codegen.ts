// `ramp init service-client`: the typed part of the client, generated from a model's contract
// (model-contract.ts): a Row type with every input column, the Prediction type with the classes,
// the V2 request builder and response reader. A wrong field name or type is a compile error.
import type { ContractColumn, ModelContract } from './model-contract.ts';

const q = (s: string): string => JSON.stringify(s);
const isInt = (dt: string): boolean => /^U?INT/.test(dt);

function fieldType(c: ContractColumn): string {
  let t = c.datatype === 'BYTES' ? (c.categories?.length ? c.categories.map(q).join(' | ') : 'string') : c.datatype === 'BOOL' ? 'boolean' : 'number';
  if (c.nullable !== false) t += ' | null';
  return t;
}

function fieldDoc(c: ContractColumn): string {
  const parts = [c.datatype];
  if (c.categories?.length) parts.push(`the categories the model knows (another string is scored as unknown: cast it if you mean to send one)`);
  parts.push(c.nullable === true ? 'null (missing) is accepted' : c.nullable === false ? 'required: a missing value is refused' : 'null is allowed by the type; whether the model accepts it is not known');
  return parts.join('; ');
}

function labelType(m: ModelContract): string {
  if (!m.classes) return 'never';
  return m.classes.map((c) => (typeof c === 'number' ? String(c) : q(c))).join(' | ');
}

function predictionType(m: ModelContract): string[] {
  const hasProba = m.outputs.some((o) => o.name === 'predict_proba');
  if (m.classes) {
    return [
      `/** A class the model predicts. */`, `export type Label = ${labelType(m)};`,
      `export const CLASSES: readonly Label[] = ${JSON.stringify(m.classes)};`, '',
      `export interface Prediction {`, `  label: Label;`,
      `  /** P(class), in CLASSES order${hasProba ? '' : ' (this model has no predict_proba: always null)'}; null in a fallback answer. */`,
      `  probabilities: number[] | null;`, `}`,
      '', `/** The answer the fallback gives (see src/fallback.ts): the first class, no probabilities. Decide it with your product owner. */`,
      `export const DEFAULT_PREDICTION: Prediction = { label: ${JSON.stringify(m.classes[0])}, probabilities: null };`,
    ];
  }
  const out = m.outputs[0];
  const multi = out ? out.shape.length > 1 : false;
  return [
    `export type Label = never;`, `export const CLASSES: readonly Label[] = [];`, '',
    `export interface Prediction {`, `  /** The model's ${out?.name ?? 'predict'} output for the row. */`, `  value: ${multi ? 'number[]' : 'number'};`, `}`,
    '', `/** The answer the fallback gives (see src/fallback.ts). Decide it with your product owner. */`,
    `export const DEFAULT_PREDICTION: Prediction = { value: ${multi ? '[]' : '0'} };`,
  ];
}

function requestCode(m: ModelContract): string[] {
  if (m.layout === 'matrix') {
    const t = m.tensors[0]!;
    return [
      `export function toV2Request(rows: readonly Row[]): V2Request {`,
      `  return { inputs: [{ name: ${q(t.name)}, datatype: ${q(t.datatype)}, shape: [rows.length, ${m.inputs.length}], data: rows.flatMap((r) => COLUMNS.map((c) => r[c.name])) }] };`,
      `}`,
    ];
  }
  return [
    `export function toV2Request(rows: readonly Row[]): V2Request {`,
    `  return { inputs: COLUMNS.map((c) => ({ name: c.name, datatype: c.datatype, shape: [rows.length], data: rows.map((r) => r[c.name]) })) };`,
    `}`,
  ];
}

function responseCode(m: ModelContract): string[] {
  const main = m.classes ? 'predict' : (m.outputs[0]?.name ?? 'predict');
  const body = m.classes
    ? [
        `  const proba = out.find((o) => o.name === 'predict_proba')?.data.flat() ?? null;`,
        `  const k = CLASSES.length;`,
        `  return labels.map((label, i) => ({ label: ${isInt(m.outputs.find((o) => o.name === 'predict')?.datatype ?? '') ? 'Number(label)' : 'label'} as Label, probabilities: proba ? (proba.slice(i * k, (i + 1) * k) as number[]) : null }));`,
      ]
    : m.outputs[0] && m.outputs[0].shape.length > 1
      ? [`  const w = labels.length / n;`, `  return Array.from({ length: n }, (_, i) => ({ value: labels.slice(i * w, (i + 1) * w) as number[] }));`]
      : [`  return labels.map((v) => ({ value: Number(v) }));`];
  return [
    `/** The predictions in a V2 response, one per row; throws when the response is not what the model's metadata promised. */`,
    `export function fromV2Response(body: unknown, n: number): Prediction[] {`,
    `  const out = (body as { outputs?: Array<{ name: string; data: unknown[] }> }).outputs;`,
    `  if (!Array.isArray(out)) throw new Error('the response has no outputs');`,
    `  const labels = out.find((o) => o.name === ${q(main)})?.data.flat();`,
    `  if (!labels || labels.length < n) throw new Error(${q(`the response has no "${main}" output for every row`)});`,
    ...body,
    `}`,
  ];
}

function exampleValue(c: ContractColumn): string {
  if (c.datatype === 'BYTES') return q(c.categories?.[0] ?? 'x');
  return c.datatype === 'BOOL' ? 'false' : '0';
}

/** test/types.ts: lines that must not compile (an unused @ts-expect-error fails tsc, so npm test). */
export function typesTest(m: ModelContract): string {
  const num = m.inputs.find((c) => c.datatype !== 'BYTES' && c.datatype !== 'BOOL');
  const text = m.inputs.find((c) => c.datatype === 'BYTES');
  return [
    `// The typed client's promise: a wrong field name or type is a compile error, not a 400 in production.`,
    `// \`npm test\` compiles this file first; each line below must fail to compile, or tsc reports an unused @ts-expect-error.`,
    `import { EXAMPLE_ROW, type Row } from '../src/model.ts';`,
    '',
    `// @ts-expect-error a column the model does not have`,
    `export const unknownColumn: Row = { ...EXAMPLE_ROW, not_a_column: 1 };`,
    ...(num ? [`// @ts-expect-error a number column given text`, `export const textForNumber: Row = { ...EXAMPLE_ROW, ${q(num.name)}: 'twelve' };`] : []),
    ...(text ? [`// @ts-expect-error a text column given a number`, `export const numberForText: Row = { ...EXAMPLE_ROW, ${q(text.name)}: 12 };`] : []),
    '',
  ].join('\n');
}

/** src/model.ts for the contract. */
export function clientModule(m: ModelContract): string {
  const cols = m.inputs.map((c) => `  { name: ${q(c.name)}, datatype: ${q(c.datatype)} },`);
  const fields = m.inputs.flatMap((c) => [`  /** ${fieldDoc(c)} */`, `  ${q(c.name)}: ${fieldType(c)};`]);
  return [
    `// Generated by \`ramp init service-client\` from the model ${q(m.name)} (${m.estimator ?? 'unknown estimator'}${m.sklearn_version ? `, scikit-learn ${m.sklearn_version}` : ''}).`,
    `// Do not edit by hand. When \`npm run contract\` (ramp contract check) reports a breaking change,`,
    `// regenerate this file and model.contract.json from the new model, and let the compiler show what to change.`,
    '',
    `export const MODEL_NAME = ${q(m.name)};`,
    `export const MODEL_VERSION: string | null = ${m.version === null ? 'null' : q(m.version)};`,
    '',
    `/** One row to score: every input column of the model. */`,
    `export interface Row {`, ...fields, `}`,
    '',
    `/** A row every column of which the model accepts (zeros and first categories): for tests and examples. */`,
    `export const EXAMPLE_ROW: Row = { ${m.inputs.map((c) => `${q(c.name)}: ${exampleValue(c)}`).join(', ')} };`,
    '',
    `/** The input columns, in the model's order, with their V2 datatypes. */`,
    `export const COLUMNS = [`, ...cols, `] as const satisfies ReadonlyArray<{ name: keyof Row; datatype: string }>;`,
    '',
    ...predictionType(m),
    '',
    `export interface V2Request {`, `  inputs: Array<{ name: string; datatype: string; shape: number[]; data: unknown[] }>;`, `}`,
    '',
    `/** The V2 request for the rows (${m.layout === 'matrix' ? 'one [N, F] tensor' : 'one tensor per column'}, as the model's metadata says). */`,
    ...requestCode(m),
    '',
    ...responseCode(m),
    '',
  ].join('\n');
}
