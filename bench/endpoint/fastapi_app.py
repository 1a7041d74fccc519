"""FastAPI + uvicorn + scikit-learn baseline with the same V2 infer route as `ramp serve`.

    MODEL=bench/models/rf100.joblib MODEL_NAME=rf python3 -m uvicorn fastapi_app:app \
        --app-dir bench/endpoint --port 8000 --log-level warning

Uses Debian's python3-fastapi / python3-uvicorn / python3-sklearn.
"""
import os

import joblib
import numpy as np
import pandas as pd
from fastapi import Body, FastAPI, HTTPException

MODEL = joblib.load(os.environ['MODEL'])
NAME = os.environ.get('MODEL_NAME', 'model')
IS_CLF = hasattr(MODEL, 'predict_proba') and hasattr(MODEL, 'classes_')
N_FEATURES = MODEL.n_features_in_
DTYPES = {'FP64': np.float64, 'FP32': np.float32, 'INT64': np.int64, 'INT32': np.int32}

app = FastAPI()


@app.get('/v2/health/ready')
def ready():
    return {'ready': True}


@app.post('/v2/models/{name}/infer')
def infer(name: str, body: dict = Body(...)):
    if name != NAME:
        raise HTTPException(404, f'model {name} not found')
    try:
        if len(body['inputs']) > 1:
            # One tensor per column (MLServer's pandas codec): a DataFrame, as the model was fitted on.
            # Text as object columns, numbers as floats; JSON null is NaN, as pandas.read_csv gives it.
            cols = {}
            for t in body['inputs']:
                if t['datatype'] == 'BYTES':
                    cols[t['name']] = pd.Series([np.nan if v is None else v for v in t['data']], dtype=object)
                else:
                    cols[t['name']] = pd.Series(t['data'], dtype=float)
            x = pd.DataFrame(cols)[list(MODEL.feature_names_in_)]
        else:
            inp = body['inputs'][0]
            x = np.asarray(inp['data'], dtype=DTYPES[inp['datatype']]).reshape(inp['shape'])
    except Exception as e:  # noqa: BLE001
        raise HTTPException(400, str(e))
    if x.shape[1] != N_FEATURES:
        raise HTTPException(400, f'expected {N_FEATURES} features')
    n = x.shape[0]
    if IS_CLF:
        proba = MODEL.predict_proba(x)
        pred = MODEL.classes_.take(np.argmax(proba, axis=1))
        outputs = [
            {'name': 'predict', 'datatype': 'INT64', 'shape': [n], 'data': pred.tolist()},
            {'name': 'predict_proba', 'datatype': 'FP64', 'shape': list(proba.shape), 'data': proba.ravel().tolist()},
        ]
    else:
        pred = MODEL.predict(x)
        outputs = [{'name': 'predict', 'datatype': 'FP64', 'shape': [n], 'data': pred.tolist()}]
    out = {'model_name': NAME, 'outputs': outputs}
    if 'id' in body:
        out['id'] = body['id']
    return out
