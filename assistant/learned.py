"""Small learned models of the answer path, stored as JSON in the package and run with numpy.

`scripts/train.py` fits them with scikit-learn on the labelled question sets and writes them
here; at run time only numpy is needed, so the models load in milliseconds and are the same on
every machine. A model is a standardised logistic regression: binary (one weight row) or
multinomial (one row per class).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar, Self, TypeVar

import numpy as np

from assistant.errors import ConfigurationError

WEIGHTS_PACKAGE = "assistant.weights"
T = TypeVar("T")


@dataclass(frozen=True)
class LinearModel:
    """A logistic regression over named features, with the scaling it was trained with."""

    features: tuple[str, ...]
    classes: tuple[str, ...]  # ("0", "1") for a binary model
    coef: np.ndarray  # (rows, features): one row for a binary model
    intercept: np.ndarray  # (rows,)
    mean: np.ndarray  # (features,)
    scale: np.ndarray  # (features,)
    threshold: float = 0.5  # the decision threshold chosen by cross-validation (binary)
    info: dict[str, Any] = field(default_factory=dict)  # how it was trained and validated

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """Raw linear scores, (n, rows)."""
        x = (np.atleast_2d(rows) - self.mean) / self.scale
        return x @ self.coef.T + self.intercept

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """Class probabilities, (n, classes); for a binary model the columns are P(0), P(1)."""
        z = self.scores(rows)
        if len(self.classes) == 2 and z.shape[1] == 1:
            p = 1.0 / (1.0 + np.exp(-z[:, 0]))
            return np.stack([1.0 - p, p], axis=1)
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def positive(self, rows: np.ndarray) -> np.ndarray:
        """P(class "1") of a binary model, (n,)."""
        return self.probabilities(rows)[:, 1]

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "classes": list(self.classes),
            "coef": self.coef.round(6).tolist(),
            "intercept": self.intercept.round(6).tolist(),
            "mean": self.mean.round(6).tolist(),
            "scale": self.scale.round(6).tolist(),
            "threshold": self.threshold,
            "info": self.info,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> LinearModel:
        return cls(
            features=tuple(raw["features"]),
            classes=tuple(raw["classes"]),
            coef=np.asarray(raw["coef"], dtype=np.float64),
            intercept=np.asarray(raw["intercept"], dtype=np.float64),
            mean=np.asarray(raw["mean"], dtype=np.float64),
            scale=np.asarray(raw["scale"], dtype=np.float64),
            threshold=float(raw.get("threshold", 0.5)),
            info=dict(raw.get("info", {})),
        )


def fit_linear(
    x: np.ndarray,
    y: np.ndarray,
    features: tuple[str, ...],
    c: float = 1.0,
    class_weight: str | None = None,
    sample_weight: np.ndarray | None = None,
    standardise: int | None = None,
    standardised_weight: float = 1.0,
) -> LinearModel:
    """Fit a standardised logistic regression (needs scikit-learn, a training-time package).
    With `standardise`, only the first that many features are scaled: the rest (an
    embedding, already normalised) keep their own scale, and the standardised ones are
    weighed by `standardised_weight` against them."""
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    if standardise is not None:
        mean[standardise:] = 0.0
        scale[standardise:] = 1.0
        scale[:standardise] /= standardised_weight
    model = LogisticRegression(C=c, max_iter=2000, class_weight=class_weight)
    model.fit((x - mean) / scale, y, sample_weight=sample_weight)
    classes = tuple(str(c) for c in model.classes_)
    return LinearModel(features, classes, model.coef_, model.intercept_, mean, scale)


def save_model(model: LinearModel, path: Path) -> None:
    """Write a model as JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(model.to_json(), ensure_ascii=False) + "\n", encoding="utf-8")


def load_model(name: str, folder: Path | None = None) -> LinearModel:
    """A model by name from `folder`, or from the package's weights; ConfigurationError when
    it is missing (run `python scripts/train.py`) or unreadable."""
    try:
        if folder is not None:
            raw = (folder / f"{name}.json").read_text(encoding="utf-8")
        else:
            raw = resources.files(WEIGHTS_PACKAGE).joinpath(f"{name}.json").read_text("utf-8")
        return LinearModel.from_json(json.loads(raw))
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigurationError(
            f"Model weights {name!r} are missing or unreadable ({exc}); "
            "rebuild them with `python scripts/train.py`."
        ) from exc


class LearnedComponent:
    """A step of the answer path run by one stored model: it is built from weights trained on
    its own features (anything else is refused) and loads the package's weights by name."""

    WEIGHTS: ClassVar[str]  # the weights' file name in the package, without .json
    FEATURES: ClassVar[tuple[str, ...]]

    def __init__(self, model: LinearModel) -> None:
        if tuple(model.features) != self.FEATURES:
            name = self.WEIGHTS.replace("_", " ")
            raise ValueError(f"the {name}'s weights were trained on other features")
        self.model = model

    @classmethod
    def load(cls) -> Self:
        return cls(load_model(cls.WEIGHTS))

    def ordered(self, items: Sequence[T], rows: np.ndarray) -> list[tuple[T, float]]:
        """The items, each with the model's probability of its row, most probable first (ties
        keep their order)."""
        if len(rows) == 0:
            return []
        probabilities = self.model.positive(rows)
        pairs = [(item, float(p)) for item, p in zip(items, probabilities, strict=True)]
        pairs.sort(key=lambda pair: -pair[1])
        return pairs
