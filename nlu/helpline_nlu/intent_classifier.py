"""An intent classifier for short, informal chat messages in many languages.

Rasa's LogisticRegressionClassifier learns from raw n-gram counts with fixed regularisation, so a
long message outvotes a short one and frequent suffixes drown rare, telling ones. This one weighs
each featurizer's n-grams by TF-IDF (sublinear, so a repeated word counts less each time), keeps
each featurizer's share equal by normalising them apart, and separates intents with a linear SVM,
which generalises better than logistic regression on these sparse, many-featured inputs. The
SVM's scores become probabilities by sigmoid calibration on cross-validated predictions, so
thresholds like "answer at 0.45" keep their meaning.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text, Type

import numpy as np
from scipy.sparse import csr_matrix, hstack, vstack
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.svm import LinearSVC

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers import LABEL_RANKING_LENGTH
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils.tensorflow.constants import RANKING_LENGTH

logger = logging.getLogger(__name__)

# What the saved model may contain: loading refuses anything else (skops, as Rasa's own classifiers).
TRUSTED_TYPES = [
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.preprocessing._label.LabelEncoder",
    "sklearn.svm._classes.LinearSVC",
    "scipy.sparse._csr.csr_matrix",
]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class TfidfSvmIntentClassifier(IntentClassifier, GraphComponent):
    """TF-IDF-weighted sparse features, a calibrated linear SVM, and a ranking of intents."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Featurizer]

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sklearn", "skops"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "C": 0.5,  # chosen on held-out examples: 0.2 underfits, 2 overfits
            "calibration_folds": 5,
            "sublinear_tf": True,
            "random_state": 42,
            RANKING_LENGTH: LABEL_RANKING_LENGTH,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        name: Text,
        model_storage: ModelStorage,
        resource: Resource,
        origins: Optional[List[Text]] = None,
        weighting: Optional[List[TfidfTransformer]] = None,
        classifier: Optional[CalibratedClassifierCV] = None,
    ) -> None:
        self.name = name
        self.config = {**self.get_default_config(), **config}
        self.origins = origins or []
        self.weighting = weighting or []
        self.classifier = classifier
        self._model_storage = model_storage
        self._resource = resource

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "TfidfSvmIntentClassifier":
        return cls(config, execution_context.node_name, model_storage, resource)

    # -- features -------------------------------------------------------------------------------

    @staticmethod
    def _sentence_features(message: Message) -> Dict[Text, csr_matrix]:
        """Each featurizer's sparse sentence vector, by the featurizer's name."""
        return {
            feature.origin: csr_matrix(feature.features)
            for feature in message.features
            if feature.attribute == TEXT and feature.type == FEATURE_TYPE_SENTENCE and feature.is_sparse()
        }

    def _blocks(self, messages: List[Message]) -> List[csr_matrix]:
        per_message = [self._sentence_features(message) for message in messages]
        blocks = []
        for origin in self.origins:
            rows = [features[origin] for features in per_message]
            blocks.append(vstack(rows).tocsr())
        return blocks

    def _matrix(self, messages: List[Message]) -> csr_matrix:
        blocks = self._blocks(messages)
        return hstack([weights.transform(block) for weights, block in zip(self.weighting, blocks)]).tocsr()

    # -- training and prediction ------------------------------------------------------------------

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            logger.debug(f"Cannot train '{self.__class__.__name__}': no examples.")
            return self._resource
        self.origins = sorted(self._sentence_features(examples[0]))
        blocks = self._blocks(examples)
        self.weighting = [TfidfTransformer(sublinear_tf=self.config["sublinear_tf"]).fit(block) for block in blocks]
        features = hstack([w.transform(block) for w, block in zip(self.weighting, blocks)]).tocsr()
        labels = np.array([e.get(INTENT) for e in examples])
        svm = LinearSVC(C=self.config["C"], random_state=self.config["random_state"])
        # ensemble=False: one SVM trained on all examples, calibrated on cross-validated scores
        self.classifier = CalibratedClassifierCV(
            svm, cv=self.config["calibration_folds"], method="sigmoid", ensemble=False
        )
        self.classifier.fit(features, labels)
        self.persist()
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        if self.classifier is None or not messages:
            return messages
        probabilities = self.classifier.predict_proba(self._matrix(messages))
        intents = self.classifier.classes_
        for message, row in zip(messages, probabilities):
            ranking = sorted(
                ({"name": str(name), "confidence": float(p)} for name, p in zip(intents, row)),
                key=lambda entry: -entry["confidence"],
            )
            intent = ranking[0]
            if self.config[RANKING_LENGTH] > 0:
                ranking = ranking[: self.config[RANKING_LENGTH]]
            message.set(INTENT, intent, add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    # -- storage ----------------------------------------------------------------------------------

    def persist(self) -> None:
        import skops.io as sio

        state = {"origins": self.origins, "weighting": self.weighting, "classifier": self.classifier}
        with self._model_storage.write_to(self._resource) as model_dir:
            sio.dump(state, model_dir / f"{self._resource.name}.skops")

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "TfidfSvmIntentClassifier":
        import skops.io as sio

        try:
            with model_storage.read_from(resource) as model_dir:
                state = sio.load(model_dir / f"{resource.name}.skops", trusted=TRUSTED_TYPES)
        except ValueError:
            logger.debug(f"No trained {cls.__name__} in resource '{resource.name}'.")
            return cls.create(config, model_storage, resource, execution_context)
        return cls(
            config,
            execution_context.node_name,
            model_storage,
            resource,
            origins=state["origins"],
            weighting=state["weighting"],
            classifier=state["classifier"],
        )
