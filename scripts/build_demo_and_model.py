"""Regenerate the demo data set and the shipped pre-trained model, reproducibly.

    python scripts/build_demo_and_model.py

Writes ``core/data/demo_customers.csv`` (generated with a fixed seed, see core/demo.py) and
``models/kmeans_model.pkl`` with ``models/kmeans_model.json``: StandardScaler + KMeans(k=5, seed 0)
on Annual Income and Spending Score, the classic mall-customers segmentation.
"""

from __future__ import annotations

from core.demo import DEMO_PATH, DEMO_ROWS, DEMO_SEED, generate_demo
from core.io import read_table
from core.model import fit_segmenter
from core.persist import DEFAULT_MODEL_PATH, ModelInfo, save_shipped_model, sklearn_version, training_statistics
from core.prepare import prepare_features

FEATURES = ["Annual Income (k$)", "Spending Score (1-100)"]
K = 5
SEED = 0


def main() -> None:
    frame, _ = generate_demo()
    DEMO_PATH.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(DEMO_PATH, index=False, lineterminator="\n")
    table = read_table(DEMO_PATH)
    matrix = prepare_features(table.frame, FEATURES)
    pipeline = fit_segmenter(matrix.X, K, SEED)
    info = ModelInfo(
        features=FEATURES, k=K, seed=SEED, sklearn_version=sklearn_version(),
        trained_on=(f"The generated demo customers ({DEMO_ROWS} rows, seed {DEMO_SEED}, core/demo.py): "
                    "five segments by income and spending."),
        rows=int(matrix.X.shape[0]), **training_statistics(matrix.X, FEATURES),
    )
    info = save_shipped_model(pipeline, info, DEFAULT_MODEL_PATH)
    print(f"wrote {DEMO_PATH} and {DEFAULT_MODEL_PATH} (sha256 {info.sha256[:12]}...)")


if __name__ == "__main__":
    main()
