"""`rasa train` with a progress display a person can follow, and everything else in a log file.

Rasa trains with its progress bars off (TQDM_DISABLE, scripts/env.sh) and prints hundreds of
library warnings that mean nothing to a practice. This runs Rasa's own command line unchanged
(`rasa train ...`, same validation, same model), but sends everything Rasa, TensorFlow and
Python print (both file descriptors, so C++ logs too) to a log file, and shows on the terminal
which component is training, its epochs, and about how long is left. Two of Rasa's hooks are
wrapped to see that: the graph trainer's logging hook (a component starts or finishes) and
the Keras callback that drives Rasa's own epoch bar.

Estimates: each component's time in the last successful training is kept in a JSON file
(`--times`); without one, the time left is worked out from the epochs still to run at the
speed of the epochs seen so far. On failure, the step that failed, the end of the log and the
log's path are shown, and the exit status is Rasa's.

Usage: python -m confidant.training_progress --log var/log/train.log -- train --config ...
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Dict, List, Optional

from confidant.private_files import open_private

BAR_WIDTH = 24


def minutes_and_seconds(seconds: float) -> str:
    """'3 min 05 s', '40 s': how long, as a person says it."""
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


def bar(done: float, total: float) -> str:
    filled = int(BAR_WIDTH * done / total) if total else 0
    return "#" * filled + "-" * (BAR_WIDTH - filled)


@dataclass
class Step:
    """One component that trains (a node of Rasa's training graph)."""

    node: str
    component: str
    epochs: int = 0
    started: float = 0.0
    finished: float = 0.0
    epochs_done: int = 0
    first_epoch_done: float = 0.0
    seconds_per_epoch: Optional[float] = None
    position: int = 0


@dataclass
class TrainingDisplay:
    """What the terminal shows: one line per step, rewritten in place on a terminal."""

    out: IO[str]
    previous_times: Dict[str, float] = field(default_factory=dict)
    interactive: bool = False
    # Steps that train at once (confidant.rasa_internals.parallel_training): steps still to start
    # share that many lanes, so their times are not simply added up.
    lanes: int = 1
    steps: List[Step] = field(default_factory=list)
    running: List[Step] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    last_printed: float = 0.0
    planned: bool = False

    def plan(self, steps: List[Step]) -> None:
        """The components to train, known once Rasa has pruned its graph (cached ones skipped)."""
        if self.planned:
            return
        self.planned = True
        self.steps = steps
        if steps:
            self._line(f"  {len(steps)} components to train{self._total_left()}", final=True)
        else:
            self._line("  nothing to train: every component is in Rasa's cache (.rasa/cache)", final=True)

    def start(self, node: str, at: Optional[float] = None) -> None:
        """`node` started, now or `at` (a child's time of it: the parent may hear of it later)."""
        step = self._step(node)
        step.started = time.monotonic() if at is None else at
        step.position = 1 + sum(1 for s in self.steps if s.started and s is not step)
        self.running.append(step)
        self._show()

    def finish(self, node: str, at: Optional[float] = None) -> None:
        step = self._step(node)
        step.finished = time.monotonic() if at is None else at
        if step in self.running:
            self.running.remove(step)
        if step.epochs:
            step.epochs_done = step.epochs
        took = step.finished - (step.started or step.finished)
        self._line(f"  [{self._position(step)}] {step.component:<28} done in {minutes_and_seconds(took)}", final=True)
        if self.running:
            self._show()

    def epoch(self, done: int, total: int, node: Optional[str] = None, at: Optional[float] = None) -> None:
        """An epoch ended: of `node` (a step trained in a child process) or of the last step started."""
        step = self._step(node) if node else (self.running[-1] if self.running else None)
        if step is None:
            return
        step.epochs, step.epochs_done = total, done
        now = time.monotonic() if at is None else at
        # The first epoch also builds TensorFlow's graph: time the epochs after it.
        if done == 1:
            step.first_epoch_done = now
        elif done > 2:
            step.seconds_per_epoch = (now - step.first_epoch_done) / (done - 1)
        self._show()

    def times(self) -> Dict[str, float]:
        """Seconds each finished step took: kept for the next training's estimates."""
        return {s.node: round(s.finished - s.started, 1) for s in self.steps if s.finished and s.started}

    def failed_step(self) -> str:
        if self.running:
            return "training " + " and ".join(step.component for step in self.running)
        return (
            "packing the model"
            if self.steps and all(s.finished for s in self.steps)
            else ("preparing (reading and validating the data)")
        )

    def _step(self, node: str) -> Step:
        for step in self.steps:
            if step.node == node:
                return step
        step = Step(node, node)
        self.steps.append(step)
        return step

    def _position(self, step: Step) -> str:
        width = len(str(len(self.steps)))
        return f"{step.position or self.steps.index(step) + 1:>{width}}/{len(self.steps)}"

    def _show(self) -> None:
        """One line for what is training now: two classifiers side by side share it."""
        now = time.monotonic()
        steps = self.running
        if not steps:
            return
        done = sum(step.epochs_done for step in steps)
        total = sum(step.epochs for step in steps)
        if not self.interactive and now - self.last_printed < 15 and 0 < done < total:
            return  # a log, not a terminal: a line every 15 s is enough
        progress = f" {bar(done, total)} epoch {done}/{total}" if total else ""
        if len(steps) == 1:
            label = f"[{self._position(steps[0])}] {steps[0].component:<28}"
        else:
            positions = "+".join(str(step.position) for step in steps)
            label = f"[{positions}/{len(self.steps)}] {' + '.join(step.component for step in steps)}"
        self._line(f"  {label}{progress}{self._total_left()}")
        self.last_printed = now

    def _total_left(self) -> str:
        left = self._seconds_left()
        return f"   about {minutes_and_seconds(left)} left" if left is not None else ""

    def _seconds_left(self) -> Optional[float]:
        """Time left: the last training's step times where known, else epochs left x epoch time.

        Steps training side by side share the time: the longest of them counts, not their sum;
        steps still to start share `lanes`.
        """
        now = time.monotonic()
        pending = [s for s in self.steps if not s.finished]
        if self.previous_times and all(s.node in self.previous_times for s in pending):
            done = [s for s in self.steps if s.finished and s.node in self.previous_times]
            before = sum(self.previous_times[s.node] for s in done)
            speed = sum(s.finished - s.started for s in done) / before if before > 5 else 1.0
            running = [max(self.previous_times[s.node] * speed - (now - s.started), 0) for s in self.running]
            later = sum(self.previous_times[s.node] * speed for s in pending if not s.started)
            return max(running, default=0.0) + later / self._lanes_for(pending)
        speeds = [s.seconds_per_epoch for s in self.running if s.seconds_per_epoch is not None]
        if not speeds:
            return None
        running = [(s.epochs - s.epochs_done) * (s.seconds_per_epoch or max(speeds)) for s in self.running]
        later = sum(s.epochs for s in pending if not s.started) * max(speeds)
        return max(running, default=0.0) + later / self._lanes_for(pending)

    def _lanes_for(self, pending: List[Step]) -> int:
        return max(1, min(self.lanes, sum(1 for s in pending if not s.started)))

    def _line(self, text: str, final: bool = False) -> None:
        text = os.environ.get("STEP_INDENT", "") + text
        if self.interactive:
            self.out.write("\r\033[K" + text + ("\n" if final else ""))
        else:
            self.out.write(text + "\n")
        self.out.flush()


def show_in_parent(display: TrainingDisplay, node: str, event: str, arguments: tuple) -> None:
    """What a child process training `node` told (confidant.rasa_internals.parallel_training).

    The last argument is when the child saw it: the parent reads a child's events only between
    its own steps, so a step the parent runs itself (a featurizer) can hold them up, and timing
    them on arrival showed a 1-second training as "done in 6 s". Processes on one machine share
    its monotonic clock.
    """
    *values, at = arguments
    if event == "epoch":
        done, total = values
        display.epoch(done, total, node=node, at=at)
    elif event in ("start", "finish"):
        getattr(display, event)(*values, at=at)


def watch_rasa(display: TrainingDisplay) -> None:
    """Wrap Rasa's training hooks so that the display hears of every component and epoch.

    In a child process training one classifier, the display is the parent's: events go there.
    """
    from rasa.engine.training import hooks
    from rasa.utils.tensorflow import callback

    from confidant.rasa_internals.parallel_training import send_to_parent

    def tell(event: str, *arguments: Any) -> None:
        if not send_to_parent(event, *arguments, time.monotonic()):  # with when: see show_in_parent
            getattr(display, event)(*arguments)

    logging_hook = hooks.LoggingHook
    before, after = logging_hook.on_before_node, logging_hook.on_after_node

    def on_before_node(self: Any, node_name: str, *args: Any, **kwargs: Any) -> Dict:
        schema = self._pruned_schema
        display.plan(
            [
                Step(name, node.uses.__name__, int(node.config.get("epochs") or 0))
                for name, node in schema.nodes.items()
                if logging_hook._does_node_train(node) and not logging_hook._is_cached_node(node)
            ]
        )
        node = schema.nodes[node_name]
        if logging_hook._does_node_train(node) and not logging_hook._is_cached_node(node):
            tell("start", node_name)
        return before(self, node_name, *args, **kwargs)

    def on_after_node(self: Any, node_name: str, *args: Any, **kwargs: Any) -> None:
        node = self._pruned_schema.nodes[node_name]
        if logging_hook._does_node_train(node) and not logging_hook._is_cached_node(node):
            tell("finish", node_name)
        return after(self, node_name, *args, **kwargs)

    logging_hook.on_before_node = on_before_node
    logging_hook.on_after_node = on_after_node

    epoch_logger = callback.RasaTrainingLogger
    init, epoch_end = epoch_logger.__init__, epoch_logger.on_epoch_end

    def logger_init(self: Any, epochs: int, silent: bool) -> None:
        init(self, epochs, silent=True)
        self.confidant_epochs = epochs

    def on_epoch_end(self: Any, epoch: int, logs: Optional[Dict[str, Any]] = None) -> None:
        epoch_end(self, epoch, logs)
        tell("epoch", epoch + 1, self.confidant_epochs)
        if logs and ((epoch + 1) % 10 == 0 or epoch + 1 == self.confidant_epochs):
            metrics = ", ".join(f"{name} {float(value):.3f}" for name, value in logs.items())
            print(f"epoch {epoch + 1}/{self.confidant_epochs}: {metrics}", flush=True)  # to the log

    epoch_logger.__init__ = logger_init
    epoch_logger.on_epoch_end = on_epoch_end


def redirect_output_to(log_path: Path) -> IO[str]:
    """Send file descriptors 1 and 2 (Python, TensorFlow's C++ and all) to the log; return the terminal."""
    terminal = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    sys.stdout.flush()
    sys.stderr.flush()
    with open_private(log_path, "w") as log:  # 0600 in a 0700 folder, like everything under var/
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
    return terminal


def log_tail(log_path: Path, lines: int = 15) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", log_path.read_text(errors="replace")).splitlines()
    return "\n".join("    " + line for line in text[-lines:])


def load_times(path: Optional[Path]) -> Dict[str, float]:
    try:
        return {str(k): float(v) for k, v in json.loads(path.read_text()).items()} if path else {}
    except (OSError, ValueError, AttributeError):
        return {}


def _lanes() -> int:
    """How many steps train at once; a bad setting is reported where training starts, not here."""
    from confidant.rasa_internals.parallel_training import processes_at_once

    try:
        return max(1, processes_at_once())
    except ValueError:
        return 1


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", type=Path, required=True, help="file for everything Rasa prints")
    parser.add_argument("--times", type=Path, help="JSON of each component's seconds, read and then updated")
    parser.add_argument("rasa_arguments", nargs=argparse.REMAINDER, help="-- train --config ... (rasa's own)")
    args = parser.parse_args(argv)
    rasa_arguments = args.rasa_arguments[1:] if args.rasa_arguments[:1] == ["--"] else args.rasa_arguments

    terminal = redirect_output_to(args.log)
    display = TrainingDisplay(terminal, load_times(args.times), interactive=terminal.isatty(), lanes=_lanes())
    started = time.monotonic()
    status = 0
    try:
        watch_rasa(display)
        from rasa.__main__ import main as rasa_main

        from confidant.rasa_internals import install_for_training

        install_for_training(on_child_event=functools.partial(show_in_parent, display))

        sys.argv = ["rasa", *rasa_arguments]
        rasa_main()
    except SystemExit as exit_:
        status = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except BaseException:  # noqa: BLE001 - shown to the person below, in full in the log
        import traceback

        traceback.print_exc()
        status = 1
    sys.stdout.flush()
    sys.stderr.flush()
    if status:
        terminal.write(
            f"\nTraining failed while {display.failed_step()} (exit status {status}).\n"
            f"The end of the log:\n{log_tail(args.log)}\nWhole log: {args.log}\n"
        )
        return status
    if args.times and display.times():
        times = json.dumps({**load_times(args.times), **display.times()}, indent=1)
        with open_private(args.times, "w") as handle:
            handle.write(times)
    indent = os.environ.get("STEP_INDENT", "")
    terminal.write(f"{indent}  Trained in {minutes_and_seconds(time.monotonic() - started)}.\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
