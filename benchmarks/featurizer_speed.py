"""The count-vector featurizers on the training data: Rasa's way against one pass. Prints figures.

    python -m benchmarks.featurizer_speed [--rounds 3]

Reads and tokenizes the project's NLU data and the domain's responses as training does, trains
the two CountVectorsFeaturizers of config.yml, then featurizes every training example with
Rasa's `process` (a message at a time, two sklearn calls each) and with
`confidant/rasa_internals/count_vectors.py` (one call over the distinct tokens), alternating,
and prints the median seconds of each and their ratio. Also featurizes 300 messages one at a
time each way (what a message costs at run time). Asserts nothing: the tests compare the
features themselves.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from rasa.engine.graph import ExecutionContext, GraphSchema  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer  # noqa: E402
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer  # noqa: E402
from rasa.shared.importers.importer import TrainingDataImporter  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402

from confidant.rasa_internals import count_vectors  # noqa: E402
from confidant.settings import PROJECT_ROOT  # noqa: E402
from confidant.yaml_files import load_yaml  # noqa: E402

ONE_AT_A_TIME = 300


def configured_count_vectors() -> List[Dict[str, Any]]:
    """The CountVectorsFeaturizers' settings in config.yml."""
    pipeline = load_yaml((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    return [
        {key: value for key, value in step.items() if key != "name"}
        for step in pipeline
        if step["name"] == "CountVectorsFeaturizer"
    ]


def component(cls: Any, storage: Path, name: str, **config: Any) -> Any:
    context = ExecutionContext(GraphSchema({}), "benchmark")
    return cls.create({**cls.get_default_config(), **config}, LocalModelStorage(storage), Resource(name), context)


def featurize_seconds(process: Callable[[Any, List[Message]], Any], featurizer: Any, messages: List[Message]) -> float:
    start = time.perf_counter()
    process(featurizer, messages)
    return time.perf_counter() - start


def one_at_a_time_seconds(
    process: Callable[[Any, List[Message]], Any], featurizer: Any, messages: List[Message]
) -> float:
    start = time.perf_counter()
    for message in messages:
        process(featurizer, [message])
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    storage = Path(tempfile.mkdtemp(prefix="featurizer-speed-"))
    importer = TrainingDataImporter.load_from_config(
        str(PROJECT_ROOT / "config.yml"), str(PROJECT_ROOT / "domain.yml"), [str(PROJECT_ROOT / "data" / "nlu")]
    )
    data = importer.get_nlu_data()
    component(WhitespaceTokenizer, storage, "tokenizer").process_training_data(data)
    examples = data.training_examples
    print(f"{len(examples)} training examples, {args.rounds} rounds each way, alternating")
    rasas_process = count_vectors.rasas_process()
    count_vectors.install()

    def fresh() -> List[Message]:
        return [Message(data=dict(message.data)) for message in examples]

    for index, config in enumerate(configured_count_vectors()):
        featurizer = component(CountVectorsFeaturizer, storage, f"count_vectors_{index}", **config)
        featurizer.train(data)
        timings: Dict[str, List[float]] = {"rasa": [], "ours": [], "rasa_each": [], "ours_each": []}
        ways = {"rasa": rasas_process, "ours": CountVectorsFeaturizer.process}
        for _ in range(args.rounds):
            for way, process in ways.items():
                timings[way].append(featurize_seconds(process, featurizer, fresh()))
                each = fresh()[:ONE_AT_A_TIME]
                timings[f"{way}_each"].append(one_at_a_time_seconds(process, featurizer, each))
        median = {name: statistics.median(values) for name, values in timings.items()}
        label = config.get("analyzer", "word") + (f" {config['min_ngram']}-{config['max_ngram']}" if config else "")
        print(
            f"{label:>12}: training data Rasa {median['rasa']:.2f} s, ours {median['ours']:.2f} s "
            f"({median['ours'] / median['rasa']:.2f}x); {ONE_AT_A_TIME} messages one at a time "
            f"Rasa {median['rasa_each'] * 1000 / ONE_AT_A_TIME:.2f} ms, ours "
            f"{median['ours_each'] * 1000 / ONE_AT_A_TIME:.2f} ms each "
            f"({median['ours_each'] / median['rasa_each']:.2f}x)"
        )


if __name__ == "__main__":
    main()
