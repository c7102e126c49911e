"""Load DIET and the ResponseSelector for prediction without a training step.

Rasa 3.6's `RasaModel.load` builds a model's weights by training it for one step on an example
(Keras `fit` with an Adam optimizer), then overwrites the weights from the saved checkpoint.
That step traces the whole training graph (gradients, optimizer) and allocates the optimizer's
two slots per weight, none of which a server that only predicts ever uses: it was the largest
part of start-up and of the Rasa process's memory (docs/performance.md). Here the weights are
built by the prediction path instead (one inference on the example Rasa keeps for that), then
restored from the same checkpoint; the optimizer's saved slots are left unread
(`expect_partial`). Predictions are the same (tests/rasa_internals/test_model_loading.py
compares every intent and answer confidence with Rasa's own loading). Fine-tuning, and a model
without a prediction example, still load Rasa's way.
"""

from __future__ import annotations

import os
from typing import Any, Optional

_RASAS_LOAD_ATTRIBUTE = "_confidant_rasas_own_load"
# `CONFIDANT_MODEL_LOADING=rasa` keeps Rasa's own loading (to measure it, or after a Rasa upgrade).
SWITCH = "CONFIDANT_MODEL_LOADING"


def load_for_prediction(
    cls: Any,
    model_file_name: str,
    model_data_example: Any,
    predict_data_example: Optional[Any] = None,
    finetune_mode: bool = False,
    *args: Any,
    **kwargs: Any,
) -> Any:
    """`RasaModel.load` with the weights built by a prediction instead of a training step."""
    rasas_own = getattr(cls, _RASAS_LOAD_ATTRIBUTE)
    if finetune_mode or predict_data_example is None:
        return rasas_own.__func__(
            cls, model_file_name, model_data_example, predict_data_example, finetune_mode, *args, **kwargs
        )
    model = cls(*args, **kwargs)
    model.compile(run_eagerly=kwargs.get("config", {}).get("run_eagerly"))
    model.run_inference(predict_data_example)  # creates the variables prediction uses
    model.load_weights(model_file_name).expect_partial()
    # That inference also kept what it computed from the untrained weights (DIET's label
    # embeddings) and traced a prediction function holding them: forget both, then trace
    # again with the loaded weights (Rasa's own load ends with this inference too).
    model.prepared_for_prediction = False
    model._tf_predict_step = None
    model.run_inference(predict_data_example)
    return model


def install() -> None:
    """Replace `RasaModel.load` (idempotent)."""
    from rasa.utils.tensorflow.models import RasaModel

    if hasattr(RasaModel, _RASAS_LOAD_ATTRIBUTE) or os.environ.get(SWITCH) == "rasa":
        return
    setattr(RasaModel, _RASAS_LOAD_ATTRIBUTE, RasaModel.__dict__["load"])
    RasaModel.load = classmethod(load_for_prediction)
