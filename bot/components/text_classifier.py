"""A linear SVM over TF-IDF character and word n-grams, as a Rasa NLU intent classifier.

Why not DIET and the ResponseSelector: on the held-out dev set they reached 65-73 % top-1 on FAQs
while this classifier, trained on the same data, reaches 96 %, and it trains in seconds instead of
five minutes (measurements in README, "Why a linear classifier"). It predicts the full retrieval
intent ("faq/upload_manual") in one step and reports it the way Rasa's ResponseSelector does, so the
rules, actions and `rasa test` read it unchanged.

Confidence is not a probability: it is sigmoid(scale * (margin - reject_margin)), a monotonic map of
the SVM margin that is 0.5 exactly at `reject_margin`, so Rasa's FallbackClassifier threshold of 0.5
rejects what the margin says is too far from every training example.
"""
from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Tuple

import joblib
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline, make_union
from sklearn.svm import LinearSVC

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

MODEL_FILE = "linear_text_classifier.joblib"
RESPONSE_SELECTOR = "response_selector"  # the parse-data key Rasa's ResponseSelector fills
RANKING_LENGTH = 10


def build_pipeline(c: float = 1.0) -> Pipeline:
    """TF-IDF of accent-folded character (2-5, within words) and word (1-2) n-grams, then a linear SVM."""
    features = make_union(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, strip_accents="unicode"),
        TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, strip_accents="unicode"),
    )
    return Pipeline([("features", features), ("svm", LinearSVC(C=c))])


def confidence(margin: float, reject_margin: float, scale: float) -> float:
    return 1.0 / (1.0 + math.exp(-scale * (margin - reject_margin)))


def ranking(pipeline: Pipeline, text: str, reject_margin: float, scale: float) -> List[Tuple[str, float]]:
    """Every label with its confidence, best first."""
    margins = pipeline.decision_function([text])[0]
    order = np.argsort(-margins)
    return [(str(pipeline.classes_[i]), confidence(float(margins[i]), reject_margin, scale)) for i in order]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearTextClassifier(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # c and reject_margin were chosen on eval/dev.jsonl; see README, "Why a linear classifier".
        return {"c": 1.0, "reject_margin": -0.6, "scale": 8.0}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        pipeline: Optional[Pipeline] = None,
        retrieval_intents: Optional[List[str]] = None,
    ) -> None:
        self.component_config = config
        self._model_storage = model_storage
        self._resource = resource
        self._pipeline = pipeline
        self._retrieval_intents = retrieval_intents or []

    @classmethod
    def create(cls, config, model_storage, resource, execution_context) -> "LinearTextClassifier":
        return cls(config, model_storage, resource, execution_context)

    def train(self, training_data: TrainingData) -> Resource:
        texts, labels = [], []
        for example in training_data.intent_examples:
            texts.append(example.get(TEXT))
            # Retrieval examples carry "faq/upload_manual"; the others just their intent.
            labels.append(example.get(INTENT_RESPONSE_KEY) or example.get(INTENT))
        self._retrieval_intents = sorted(training_data.retrieval_intents)
        self._pipeline = build_pipeline(self.component_config["c"]).fit(texts, labels)
        logger.info(f"Trained on {len(texts)} examples of {len(set(labels))} labels.")
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump(
                {"pipeline": self._pipeline, "retrieval_intents": self._retrieval_intents},
                Path(directory) / MODEL_FILE,
            )
        return self._resource

    @classmethod
    def load(cls, config, model_storage, resource, execution_context, **kwargs: Any) -> "LinearTextClassifier":
        try:
            with model_storage.read_from(resource) as directory:
                saved = joblib.load(Path(directory) / MODEL_FILE)
        except (ValueError, FileNotFoundError):
            logger.warning("No trained LinearTextClassifier found; it will predict nothing.")
            return cls(config, model_storage, resource, execution_context)
        return cls(config, model_storage, resource, execution_context, saved["pipeline"], saved["retrieval_intents"])

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if self._pipeline is None or not message.get(TEXT):
                continue
            labels = ranking(
                self._pipeline, message.get(TEXT),
                self.component_config["reject_margin"], self.component_config["scale"],
            )
            self._set_prediction(message, labels)
        return messages

    def _set_prediction(self, message: Message, labels: List[Tuple[str, float]]) -> None:
        # Rasa's dialogue works on base intents ("faq"): each keeps its best sub-label's confidence.
        base: Dict[str, float] = {}
        for label, conf in labels:
            base.setdefault(label.split("/")[0], conf)
        intent_ranking = [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: conf} for name, conf in base.items()]
        message.set(INTENT, intent_ranking[0], add_to_output=True)
        message.set(INTENT_RANKING_KEY, intent_ranking[:RANKING_LENGTH], add_to_output=True)

        retrieval = [(label, conf) for label, conf in labels if "/" in label][:RANKING_LENGTH]
        if not retrieval:
            return
        best_key, best_conf = retrieval[0]
        message.set(
            RESPONSE_SELECTOR,
            {
                "all_retrieval_intents": self._retrieval_intents,
                "default": {
                    "response": {
                        "intent_response_key": best_key,
                        "confidence": best_conf,
                        # Answers come from knowledge/ through action_answer_knowledge, not from responses.
                        "responses": [],
                        "utter_action": f"utter_{best_key}",
                    },
                    "ranking": [{"intent_response_key": k, "confidence": c} for k, c in retrieval],
                },
            },
            add_to_output=True,
        )
