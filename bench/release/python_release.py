"""The peer for bench/release/run.mjs: the same work in one Python process.

    /usr/bin/python3 bench/release/python_release.py gen DIR ROWS
    /usr/bin/python3 bench/release/python_release.py validate DIR ROWS
    /usr/bin/python3 bench/release/python_release.py drift DIR ROWS
"""
import math
import os
import sys

import numpy as np
import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
F = 20


def gen(d, n):
    """ref-N.csv and cur-N.csv: 20 numeric features, a label and a slice; cur drifts in f3.
    Also binary-logreg.joblib, a LogisticRegression on the same features, for validate."""
    r = np.random.RandomState(0)
    for name, shift in (('ref', 0.0), ('cur', 0.4)):
        x = r.normal(size=(n, F))
        x[:, 3] += shift
        df = pd.DataFrame(np.round(x, 4), columns=['f%d' % j for j in range(F)])
        df['label'] = (x[:, 0] + 0.5 * x[:, 1] + r.normal(size=n) > 0).astype(int)
        df['segment'] = r.choice(['a', 'b', 'c', 'd'], n)
        df.to_csv(os.path.join(d, '%s-%d.csv' % (name, n)), index=False)
    model_file = os.path.join(d, 'binary-logreg.joblib')
    if not os.path.exists(model_file):
        import joblib
        from sklearn.linear_model import LogisticRegression
        x = r.normal(size=(5000, F))
        y = (x[:, 0] + 0.5 * x[:, 1] + r.normal(size=5000) > 0).astype(int)
        joblib.dump(LogisticRegression().fit(x, y), model_file)


def validate(d, n):
    import joblib
    from sklearn import metrics
    df = pd.read_csv(os.path.join(d, 'ref-%d.csv' % n))
    x = df[['f%d' % j for j in range(F)]].values
    y = df['label'].values
    models = [joblib.load(os.path.join(d, 'binary-logreg.joblib')) for _ in range(2)]
    for m in models:
        p = m.predict_proba(x)[:, 1]
        for mask in [np.ones(n, bool)] + [(df.segment == s).values for s in 'abcd']:
            yt, pt = y[mask], p[mask]
            pred = (pt >= 0.5).astype(int)
            metrics.roc_auc_score(yt, pt)
            metrics.log_loss(yt, np.column_stack([1 - pt, pt]))
            metrics.accuracy_score(yt, pred)
            metrics.f1_score(yt, pred)
            metrics.precision_score(yt, pred)
            metrics.recall_score(yt, pred)
            metrics.brier_score_loss(yt, pt)


def drift(d, n):
    from scipy import stats
    from scipy.spatial import distance
    ref = pd.read_csv(os.path.join(d, 'ref-%d.csv' % n))
    cur = pd.read_csv(os.path.join(d, 'cur-%d.csv' % n))
    for j in range(F):
        a, b = ref['f%d' % j].dropna().values, cur['f%d' % j].dropna().values
        stats.ks_2samp(a, b, method='asymp')
        stats.wasserstein_distance(a, b) / np.std(a)
        inner = np.unique(np.quantile(a, np.arange(1, 10) / 10))
        rc = np.maximum(np.bincount(np.searchsorted(inner, a), minlength=len(inner) + 1) / len(a), 1e-4)
        cc = np.maximum(np.bincount(np.searchsorted(inner, b), minlength=len(inner) + 1) / len(b), 1e-4)
        np.sum((cc - rc) * np.log(cc / rc))
    for col in ['segment']:
        cats = sorted(set(ref[col]) | set(cur[col]))
        rc = np.array([(ref[col] == c).sum() for c in cats], float)
        cc = np.array([(cur[col] == c).sum() for c in cats], float)
        stats.chi2_contingency(np.vstack([rc, cc]))
        distance.jensenshannon(rc / rc.sum(), cc / cc.sum(), base=2)


if __name__ == '__main__':
    {'gen': gen, 'validate': validate, 'drift': drift}[sys.argv[1]](sys.argv[2], int(sys.argv[3]))
