"""Everything in Confidant that depends on Rasa's private parts, in one place to check on an upgrade.

Replaced Rasa functions, installed by `install()`:
- `form_validation`: a form whose validation action cannot be reached steps aside, so the
  crisis rules still answer (Rasa 3.6 ended the turn with no reply);
- `unreachable_actions`: a custom action the action server cannot run (the clarifying
  question) says a domain response instead of leaving the client with no reply, and one that
  only adds to a reply already sent (what a message also asked) is skipped quietly;
- `action_response_validation`, `event_types`, `model_loading`, `domain_loading`: work Rasa
  repeats every turn or at start-up done once, with Rasa's own answer (docs/performance.md);
- `message_focus`: a long message's questions and sentences read on their own too
  (`confidant.nlu.message_focus` chooses the reading);
- `release_memory`: the heap pages freed while a model loads handed back to the system;
- `unused_modules`: JAX and h5py, which TensorFlow's import drags in for nothing, kept out of the
  process (before anything imports TensorFlow: the server's and training's steps both do it);
- `sentence_features`: DIET and the ResponseSelector fed only the sentence features, the one
  position they read without transformer layers (training and prediction alike);
- `count_vectors`: the CountVectorsFeaturizer's features for a batch of messages from one sklearn
  call, the sentence features added up from the token features (the same matrices as Rasa's);
- `sparse_batches`: a batch's sparse features handed to TensorFlow with one concatenation each
  instead of a loop over its examples;
- `training_fingerprints`: the training cache's fingerprints of tokens and sparse features in
  one hash each instead of one per field or value, and a featurizer's output named by its
  node's key instead of hashing all the training data again;
- `shared_importer`: the files `rasa train` read to check them handed on to the training, not
  read again;
- `parallel_training`: the TensorFlow classifiers trained side by side, each in a forked child
  (this one and `shared_importer` are for training only: `install_for_training()`, called by
  `confidant.training_progress`).
Classes built on Rasa's private methods, named in endpoints.yml:
- `tracker_store.DurableSQLTrackerStore` (SQLTrackerStore's queries and table; attributes of
  its own on the trackers it hands out);
- `lock_store.AtomicRedisLockStore` (RedisLockStore's ticket handling).
And `confidant/store/events_table.py` describes Rasa's events table for readers without Rasa.

Every entry point calls one step before Rasa starts: the Rasa server, shell and story tests
through `python -m confidant.rasa_command` (which calls `install()`), the action server
`check_rasa_version()` (it only reads Rasa's table), tests that run Rasa in-process
`install()`. The response generator refuses to start in a Rasa process that skipped it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from confidant.rasa_internals.version import UntestedRasaError, check_rasa_version

__all__ = [
    "NotInstalledError",
    "UntestedRasaError",
    "check_rasa_version",
    "install",
    "install_for_training",
    "installed",
    "require_installed",
]

if TYPE_CHECKING:
    from confidant.rasa_internals.parallel_training import EventHandler

_installed = False


class NotInstalledError(RuntimeError):
    """Rasa was started without `install()`: the project's changes to Rasa are missing."""


def install() -> None:
    """Check the Rasa version, then replace the Rasa functions this project replaces (idempotent)."""
    global _installed
    check_rasa_version()
    from confidant.rasa_internals import unused_modules

    unused_modules.keep_out()
    from confidant.rasa_internals import (
        action_response_validation,
        count_vectors,
        domain_loading,
        event_types,
        form_validation,
        message_focus,
        model_loading,
        release_memory,
        sentence_features,
        sparse_batches,
        training_fingerprints,
        unreachable_actions,
    )

    form_validation.install()
    unreachable_actions.install()
    action_response_validation.install()
    event_types.install()
    count_vectors.install()
    model_loading.install()
    domain_loading.install()
    message_focus.install()
    release_memory.install()
    sentence_features.install()
    sparse_batches.install()
    training_fingerprints.install()
    _installed = True


def install_for_training(on_child_event: Optional[EventHandler] = None) -> None:
    """Check the Rasa version, then make training's own work quicker (the server's changes stay out).

    `on_child_event` hears what Rasa's hooks say in a classifier trained in a child process.
    """
    check_rasa_version()
    from confidant.rasa_internals import unused_modules

    unused_modules.keep_out()
    from confidant.rasa_internals import (
        count_vectors,
        parallel_training,
        sentence_features,
        shared_importer,
        sparse_batches,
        training_fingerprints,
    )

    shared_importer.install()
    count_vectors.install()
    sentence_features.install()
    sparse_batches.install()
    training_fingerprints.install()
    parallel_training.install(on_child_event)


def installed() -> bool:
    """True once `install()` ran in this process."""
    return _installed


def require_installed() -> None:
    """Refuse to go on in a Rasa process started without `install()` (e.g. a plain `rasa run`)."""
    if not _installed:
        raise NotInstalledError(
            "Rasa was started without Confidant's start-up step, so a form could swallow a crisis reply "
            "when the action server is down. Start it with `python -m confidant.rasa_command run ...` "
            "(as `make run` does), not `rasa run`."
        )
