"""scikit-learn's MLPClassifier on the folds neuro_bench wrote.

Usage: neuro_sklearn.py FILE [SEED]  where FILE is CSV without header:
features..., label, fold, and SEED the model's random_state (default 1).
Prints `accuracy <mean over folds> seconds <total fit time>`.
The model is scikit-learn's default MLPClassifier (one hidden layer of 100
ReLU units, Adam, 200 epochs) behind a StandardScaler, as a user would run it.
"""
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def main():
    data = np.loadtxt(sys.argv[1], delimiter=",")
    x, y, folds = data[:, :-2], data[:, -2].astype(int), data[:, -1].astype(int)
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    scores, seconds = [], 0.0
    for k in sorted(set(folds)):
        train, test = folds != k, folds == k
        model = make_pipeline(StandardScaler(), MLPClassifier(random_state=seed))
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(x[train], y[train])
        seconds += time.perf_counter() - start
        scores.append(float(np.mean(model.predict(x[test]) == y[test])))
    print(f"accuracy {np.mean(scores):.4f} seconds {seconds:.3f}")


if __name__ == "__main__":
    main()
