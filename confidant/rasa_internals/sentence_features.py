"""DIET and the ResponseSelector fed only the features they can use: a message's sentence features.

Without transformer layers, entity recognition or masked language modelling, Rasa 3.6's
classifiers read a message from its last position alone, the sentence features: every other
position (one per token) is projected, passed through the hidden layers and padded in every
batch, and then ignored, because nothing mixes positions (`RasaSequenceLayer` with no
transformer). Rasa already drops those token features for the label side "to speed up
training" (`DIETClassifier._extract_features`), but not for the message text. Here they are
replaced for the text too, by one empty position (Rasa's sequence layer will not go without),
so the classifiers compute the same kind of model from the same sentence features, at a
fraction of the cost (docs/performance.md, "Sentence features only").

A model trained before this change kept the token features in its data signature; it is still
fed them, so an older trained model or one from Rasa's training cache predicts as it was
trained. A configuration that does use token features (a transformer layer, entities, masked
language modelling) keeps them.
"""

from __future__ import annotations

from typing import Any

_RASAS_OWN = "_confidant_rasas_own"
# What stands in for a message's tokens: one sparse feature, always zero.
EMPTY_POSITION = (True, 1)


def token_features_unused(component_config: dict) -> bool:
    """True when a classifier so configured reads nothing but the sentence position."""
    from rasa.shared.nlu.constants import TEXT
    from rasa.utils.tensorflow.constants import ENTITY_RECOGNITION, MASKED_LM, NUM_TRANSFORMER_LAYERS

    layers = component_config.get(NUM_TRANSFORMER_LAYERS, 0)
    if isinstance(layers, dict):
        layers = layers.get(TEXT, 0)
    return (
        not layers
        and not component_config.get(ENTITY_RECOGNITION, False)
        and not component_config.get(MASKED_LM, False)
    )


def trained_with_token_features(classifier: Any) -> bool:
    """Whether a loaded model was trained on the text's real token features (False before training)."""
    from rasa.shared.nlu.constants import TEXT
    from rasa.utils.tensorflow.constants import SEQUENCE

    model = getattr(classifier, "model", None)
    if model is None:
        return False
    signature = model.data_signature.get(TEXT, {}).get(SEQUENCE, [])
    return [(feature.is_sparse, feature.units) for feature in signature] != [EMPTY_POSITION]


def shrink_token_features(model_data: Any) -> None:
    """Replace the text's token features in Rasa model data with one empty position per message.

    Rasa's sequence layer insists on some token features, so every message keeps a single
    position of one always-zero feature: the sentence features still come last, where the
    classifier reads them, and the layer's work no longer grows with the message's length.
    """
    import numpy as np
    import scipy.sparse
    from rasa.shared.nlu.constants import TEXT
    from rasa.utils.tensorflow.constants import SEQUENCE, SEQUENCE_LENGTH
    from rasa.utils.tensorflow.model_data import FeatureArray, ragged_array_to_ndarray

    text = model_data.data.get(TEXT)
    if not text or not text.get(SEQUENCE):
        return
    examples = len(text[SEQUENCE][0])
    empty = [scipy.sparse.coo_matrix((1, 1), dtype=np.float32) for _ in range(examples)]
    text[SEQUENCE] = [FeatureArray(ragged_array_to_ndarray(empty), number_of_dimensions=3)]
    text.pop(SEQUENCE_LENGTH, None)
    model_data.add_lengths(TEXT, SEQUENCE_LENGTH, TEXT, SEQUENCE)
    sizes = model_data.sparse_feature_sizes.get(TEXT)
    if sizes is not None and SEQUENCE in sizes:
        sizes[SEQUENCE] = [1]


def install() -> None:
    """Make DIET's model data (and so the ResponseSelector's) carry sentence features only where
    that is all the model reads (idempotent)."""
    from rasa.nlu.classifiers.diet_classifier import DIETClassifier

    if hasattr(DIETClassifier._create_model_data, _RASAS_OWN):
        return
    rasas_create = DIETClassifier._create_model_data

    def _create_model_data(self: Any, *args: Any, **kwargs: Any) -> Any:
        model_data = rasas_create(self, *args, **kwargs)
        if token_features_unused(self.component_config) and not trained_with_token_features(self):
            shrink_token_features(model_data)
        return model_data

    setattr(_create_model_data, _RASAS_OWN, rasas_create)
    DIETClassifier._create_model_data = _create_model_data


def rasas_create_model_data() -> Any:
    """Rasa's own `DIETClassifier._create_model_data`, installed or not (to compare with it)."""
    from rasa.nlu.classifiers.diet_classifier import DIETClassifier

    current = DIETClassifier._create_model_data
    return getattr(current, _RASAS_OWN, current)
