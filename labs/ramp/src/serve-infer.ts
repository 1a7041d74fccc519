// The two inference routes of `ramp serve`: V2 (Open Inference Protocol) /infer and V1 :predict.
// Answers are written straight into JSON text from the estimators' output buffers.
import type { RampRequest, RampResponse } from './host.ts';
import { InputError } from './errors.ts';
import type { Model } from './estimators/index.ts';
import { atRow } from './estimators/index.ts';
import { jsonLabel, jsonNum, parseInstances, parseV2, rowAt, v2Datatype, type Rows } from './input.ts';
import { JSON_TYPE, type Answers } from './serve-metrics.ts';
import type { ServeOptions } from './serve.ts';

const UTF8_IN = new TextDecoder();

export interface Inference {
  v2(req: RampRequest, t0: number): RampResponse;
  v1(req: RampRequest, t0: number): RampResponse;
}

export function createInference(model: Model, opts: ServeOptions, answers: Answers): Inference {
  const { metrics } = answers;
  const F = model.nFeatures;
  const K = model.classes ? model.classes.length : 0;
  const labelsJson = model.classes ? model.classes.map(jsonLabel) : [];
  const predictType = model.task === 'classifier' ? v2Datatype(model.labelType) : 'FP64';
  const mainOutput = model.task === 'transformer' ? 'transform' : 'predict';
  const valueBuf = new Float64Array(Math.max(1, model.nOutputs));
  const probaBuf = new Float64Array(Math.max(1, K));
  const modelNameJson = JSON.stringify(opts.name) + (opts.modelVersion !== undefined ? `,"model_version":${JSON.stringify(opts.modelVersion)}` : '');

  /** The body, or a 413 answer when it is over --max-body (the host may have stopped reading). */
  function tooLarge(req: RampRequest, route: string, t0: number): RampResponse | null {
    const len = req.headers['content-length'];
    if (len !== undefined && Number(len) > opts.maxBodyBytes) return answers.error(route, 'POST', 413, `request body of ${len} bytes exceeds the ${opts.maxBodyBytes}-byte limit`, t0, { connection: 'close' });
    if (req.body.length > opts.maxBodyBytes) return answers.error(route, 'POST', 413, `request body exceeds the ${opts.maxBodyBytes}-byte limit`, t0, { connection: 'close' });
    return null;
  }

  function parseJson(req: RampRequest): unknown {
    if (req.parsed !== undefined) return req.parsed;
    try {
      return JSON.parse(UTF8_IN.decode(req.body));
    } catch (e) {
      throw new InputError(`invalid JSON: ${(e as Error).message}`);
    }
  }

  function infer(rows: Rows, wantPredict: boolean, wantProba: boolean): { predict: string; proba: string } {
    const n = rows.n;
    let predict = '';
    let proba = '';
    metrics.rows += n;
    if (model.task === 'classifier') {
      for (let i = 0; i < n; i++) {
        const x = rowAt(rows, i, F);
        atRow(i, () => {
          if (wantProba) {
            model.proba(x, probaBuf);
            for (let k = 0; k < K; k++) proba += (proba ? ',' : '') + jsonNum(probaBuf[k]!);
          }
          if (wantPredict) predict += (i ? ',' : '') + labelsJson[model.predictIndex(x)];
        });
      }
    } else {
      const w = model.nOutputs;
      for (let i = 0; i < n; i++) {
        atRow(i, () => model.predictValues(rowAt(rows, i, F), valueBuf));
        for (let k = 0; k < w; k++) predict += (predict ? ',' : '') + jsonNum(valueBuf[k]!);
      }
    }
    return { predict, proba };
  }

  function handleV2Infer(req: RampRequest, t0: number): RampResponse {
    const over = tooLarge(req, 'v2_infer', t0);
    if (over) return over;
    try {
      const r = parseV2(parseJson(req), model);
      let wantPredict = true;
      const hasProba = model.task === 'classifier' && model.hasProba !== false;
      let wantProba = hasProba;
      if (r.outputs) {
        for (const o of r.outputs) {
          if (o !== mainOutput && !(o === 'predict_proba' && hasProba)) {
            throw new InputError(`unknown output "${o}"; this model has: ${mainOutput}${hasProba ? ', predict_proba' : ''}`);
          }
        }
        wantPredict = r.outputs.includes(mainOutput);
        wantProba = r.outputs.includes('predict_proba');
      }
      const { predict, proba } = infer(r.rows, wantPredict, wantProba);
      if (opts.onInfer) opts.onInfer(r.rows, predict, proba);
      const n = r.rows.n;
      let out = `{"model_name":${modelNameJson}`;
      if (r.id !== undefined) out += `,"id":${JSON.stringify(r.id)}`;
      out += ',"outputs":[';
      let first = true;
      if (wantPredict) {
        const shape = model.task === 'classifier' || model.scalarOutput ? `[${n}]` : `[${n},${model.nOutputs}]`;
        out += `{"name":"${mainOutput}","datatype":"${predictType}","shape":${shape},"data":[${predict}]}`;
        first = false;
      }
      if (wantProba) out += `${first ? '' : ','}{"name":"predict_proba","datatype":"FP64","shape":[${n},${K}],"data":[${proba}]}`;
      out += ']}';
      return answers.send('v2_infer', 'POST', 200, JSON_TYPE, out, t0);
    } catch (e) {
      return answers.fail('v2_infer', 'POST', e, t0);
    }
  }

  function handleV1Predict(req: RampRequest, t0: number): RampResponse {
    const over = tooLarge(req, 'v1_predict', t0);
    if (over) return over;
    try {
      const body = parseJson(req) as Record<string, unknown>;
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw new InputError('request body must be {"instances": [[...]]}');
      const inst = body.instances ?? body.inputs;
      if (inst === undefined) throw new InputError('request body has no "instances"', 'Send {"instances": [[...], ...]}.');
      const rows = parseInstances(inst, model);
      let out: string;
      if (model.task === 'classifier') {
        out = `{"predictions":[${infer(rows, true, false).predict}]}`;
      } else if (model.scalarOutput) {
        out = `{"predictions":[${infer(rows, true, false).predict}]}`;
      } else {
        const w = model.nOutputs;
        const parts: string[] = [];
        for (let i = 0; i < rows.n; i++) {
          atRow(i, () => model.predictValues(rowAt(rows, i, F), valueBuf));
          parts.push(`[${Array.from(valueBuf.subarray(0, w), jsonNum).join(',')}]`);
        }
        metrics.rows += rows.n;
        out = `{"predictions":[${parts.join(',')}]}`;
      }
      return answers.send('v1_predict', 'POST', 200, JSON_TYPE, out, t0);
    } catch (e) {
      return answers.fail('v1_predict', 'POST', e, t0);
    }
  }

  return { v2: handleV2Infer, v1: handleV1Predict };
}
