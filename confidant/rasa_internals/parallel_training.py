"""Train Rasa's components side by side, each in a child process of its own, as many as cores.

Rasa 3.6 runs its training graph one node at a time (`dask.get`, synchronous). DIET keeps about
1.6 of this machine's 2 cores busy and the ResponseSelector trains after it, so most of `make
train` is the two one after the other (docs/performance.md). Run in threads side by side they
finished sooner, but both draw from the process-wide random state, so a model depended on
thread timing. Here each component's training runs in a forked child: it has its own random
state, which Rasa seeds when it builds a TensorFlow model, so each model is the one sequential
training gives. At most one child per core runs at a time (three at once on two cores were
slower: TensorFlow's threads wait by spinning); the parent runs the rest of the graph (reading
data, featurizing the training data) and shows what the children report.

A child runs the whole graph node, Rasa's hooks included (its training cache is a file that a
child may write), and sends back the node's output (a `Resource`, a name for files it wrote to
the model storage on disk). What Rasa's hooks tell the training display in a child is sent to
the parent with `send_to_parent` and shown there.

Forking is safe only while the parent has not started TensorFlow's runtime (its thread pools do
not survive a fork): the parent never runs TensorFlow during training, and if something did,
the rest of the graph runs one node at a time as in Rasa.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import sys
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Dict, Iterable, List, Optional, Set, Tuple

logger = logging.getLogger(__name__)

_INSTALLED = "_confidant_parallel_training"
PROCESSES_ENVIRONMENT_VARIABLE = "CONFIDANT_TRAINING_PROCESSES"

EventHandler = Callable[[str, str, tuple], None]
"""Called in the parent with (node, event name, arguments) for each event a child sends."""

_to_parent: Optional[Connection] = None
_child_node: Optional[str] = None


class ChildTrainingError(RuntimeError):
    """A node trained in a child process failed, or the child stopped without an answer."""


def send_to_parent(event: str, *arguments: Any) -> bool:
    """In a training child: send an event for the parent's display and say True; elsewhere False."""
    if _to_parent is None:
        return False
    _to_parent.send(("event", _child_node, event, arguments))
    return True


@dataclass
class _Child:
    key: str
    process: Any
    connection: Connection


def tensorflow_started() -> bool:
    """True once this process has run TensorFlow (its eager context exists): forking is then unsafe."""
    tensorflow_context = sys.modules.get("tensorflow.python.eager.context")
    if tensorflow_context is None:
        return False
    context = getattr(tensorflow_context, "_context", None)
    return bool(context is not None and getattr(context, "_context_handle", None) is not None)


def _is_task(value: Any) -> bool:
    return isinstance(value, tuple) and bool(value) and callable(value[0])


def _dependencies(graph: Dict[str, Any], value: Any) -> List[str]:
    return [arg for arg in value[1:] if isinstance(arg, str) and arg in graph] if _is_task(value) else []


def _call(graph: Dict[str, Any], value: Any, results: Dict[str, Any]) -> Any:
    """A dask task's result: its callable on its arguments, keys replaced by their results."""
    if not _is_task(value):
        return value
    arguments = [results[arg] if isinstance(arg, str) and arg in graph else arg for arg in value[1:]]
    return value[0](*arguments)


def _child_main(key: str, call: Callable[[], Any], connection: Connection) -> None:
    """In the child: run the node, send its output (or the failure) to the parent."""
    global _to_parent, _child_node
    _to_parent, _child_node = connection, key
    try:
        output = call()
    except BaseException as error:  # noqa: BLE001 - every failure goes back to the parent
        text = traceback.format_exc()
        sys.stderr.write(text)
        try:
            pickle.dumps(error)
            connection.send(("failed", text, error))
        except Exception:  # noqa: BLE001 - an exception that cannot be pickled goes as text
            connection.send(("failed", text, None))
    else:
        connection.send(("done", output))
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        connection.close()


class ForkingRunner:
    """Runs a dask graph like `dask.get`, but the chosen nodes each in a forked child."""

    def __init__(
        self,
        fork_node: Callable[[str], bool],
        on_event: Optional[EventHandler] = None,
        at_once: Optional[int] = None,
    ) -> None:
        self._fork_node = fork_node
        self._on_event = on_event
        self._at_once = max(1, at_once or os.cpu_count() or 1)
        self._context = multiprocessing.get_context("fork")

    def get(self, graph: Dict[str, Any], targets: Iterable[str]) -> List[Any]:
        """The targets' results, in order, as `dask.get(graph, targets)` gives them."""
        targets = list(targets)
        needed = self._needed(graph, targets)
        results: Dict[str, Any] = {}
        children: Dict[str, _Child] = {}
        waiting = [key for key in graph if key in needed]  # Rasa's schema order, for a stable run
        try:
            while waiting or children:
                ready = [k for k in waiting if all(d in results for d in _dependencies(graph, graph[k]))]
                here = [k for k in ready if not self._forks(graph, k)]
                for key in [k for k in ready if k not in here][: self._at_once - len(children)]:
                    children[key] = self._start(graph, key, results)
                    waiting.remove(key)
                if not here and not children:
                    raise ChildTrainingError(f"Nothing can run: {waiting} wait for one another.")
                self._collect(children, results, block=not here)
                if here:
                    results[here[0]] = _call(graph, graph[here[0]], results)
                    waiting.remove(here[0])
        finally:
            for child in children.values():
                child.process.terminate()
                child.process.join()
        return [results[target] for target in targets]

    def _forks(self, graph: Dict[str, Any], key: str) -> bool:
        return _is_task(graph[key]) and self._fork_node(key) and not tensorflow_started()

    @staticmethod
    def _needed(graph: Dict[str, Any], targets: List[str]) -> Set[str]:
        needed: Set[str] = set()
        stack = list(targets)
        while stack:
            key = stack.pop()
            if key not in needed:
                needed.add(key)
                stack.extend(_dependencies(graph, graph[key]))
        return needed

    def _start(self, graph: Dict[str, Any], key: str, results: Dict[str, Any]) -> _Child:
        receiving, sending = self._context.Pipe(duplex=False)
        value = graph[key]

        def call() -> Any:
            return _call(graph, value, results)

        sys.stdout.flush()
        sys.stderr.flush()
        process = self._context.Process(target=_child_main, args=(key, call, sending), name=f"train {key}")
        process.start()
        sending.close()
        logger.debug(f"Training node '{key}' in process {process.pid}.")
        return _Child(key, process, receiving)

    def _collect(self, children: Dict[str, _Child], results: Dict[str, Any], block: bool) -> None:
        """Read what the children sent; store the outputs of those that finished."""
        if not children:
            return
        by_connection = {child.connection: child for child in children.values()}
        for readable in wait(list(by_connection), timeout=None if block else 0):
            child = by_connection[readable]  # type: ignore[index]  # wait() answers the connections given
            finished = False
            while not finished and child.connection.poll():
                try:
                    message: Tuple[Any, ...] = child.connection.recv()
                except EOFError:
                    child.process.join()
                    raise ChildTrainingError(
                        f"Training '{child.key}' stopped without an answer (exit code {child.process.exitcode})."
                    ) from None
                if message[0] == "event":
                    if self._on_event:
                        self._on_event(message[1], message[2], message[3])
                    continue
                finished = True
                child.process.join()
                del children[child.key]
                if message[0] == "done":
                    results[child.key] = message[1]
                    continue
                _, text, error = message
                if isinstance(error, BaseException):
                    raise error
                raise ChildTrainingError(f"Training '{child.key}' failed:\n{text}")


def processes_at_once() -> int:
    """Children training at once: CONFIDANT_TRAINING_PROCESSES, else one per core; 0 is Rasa's own runner."""
    value = os.environ.get(PROCESSES_ENVIRONMENT_VARIABLE, "").strip()
    if not value:
        return os.cpu_count() or 1
    if not value.isdigit():
        raise ValueError(f"{PROCESSES_ENVIRONMENT_VARIABLE} must be a whole number of processes, not {value!r}")
    return int(value)


def install(on_event: Optional[EventHandler] = None) -> None:
    """Train the components of every training graph in child processes (idempotent).

    At most `processes_at_once()` children at a time; none (Rasa's own runner) where fork is
    missing or with CONFIDANT_TRAINING_PROCESSES=0 (to time one against the other).
    """
    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.runner.dask import DaskGraphRunner

    at_once = processes_at_once()
    if getattr(DaskGraphRunner, _INSTALLED, False) or not hasattr(os, "fork") or at_once == 0:
        return
    run = DaskGraphRunner.run

    def run_training_nodes_side_by_side(self: Any, inputs: Any = None, targets: Any = None) -> Dict[str, Any]:
        schema = self._graph_schema
        if not any(node.fn == "train" for node in schema.nodes.values()):
            return run(self, inputs, targets)  # not a training graph
        run_targets = targets if targets else schema.target_names
        graph = self._build_dask_graph(schema.minimal_graph_schema(run_targets))
        if inputs:
            self._add_inputs_to_graph(inputs, graph)

        def fork_node(key: str) -> bool:
            node = schema.nodes.get(key)
            return node is not None and node.fn == "train"

        try:
            return dict(ForkingRunner(fork_node, on_event, at_once).get(graph, run_targets))
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error

    DaskGraphRunner.run = run_training_nodes_side_by_side
    setattr(DaskGraphRunner, _INSTALLED, True)
