"""`rasa train` reads the project's files once, not once to validate them and again to train.

Rasa 3.6's `rasa train` checks the domain and data through one `TrainingDataImporter`, then
builds a second one from the same paths for training, which reads, parses and schema-checks
every file again (about 4 s of `make train` on a quick machine, docs/performance.md). Here, in
the training process, the importer built for the check is handed to the next request for the
same files, once, and only when no file under those paths changed in between and the config
names no importers of its own (Rasa's `RasaFileImporter` takes nothing from the extra arguments
that differ between the two requests). Rasa caches what an importer has read, so the training
starts from what the check already read.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from confidant.file_state import FileState, files_state

_RASAS_OWN = "_confidant_rasas_own"

Request = Tuple[str, str, Tuple[str, ...]]

_waiting: Dict[Request, Tuple[FileState, Any]] = {}


def install() -> None:
    """Let the training's importer be the validation's when it would read the same files (idempotent)."""
    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.shared.utils.io import read_config_file

    current = TrainingDataImporter.load_from_config
    if hasattr(current, _RASAS_OWN):
        return
    rasas_load = current

    def load_from_config(
        config_path: str,
        domain_path: Optional[str] = None,
        training_data_paths: Optional[List[str]] = None,
        args: Optional[Dict[str, Any]] = {},  # noqa: B006 - Rasa's own signature
    ) -> Any:
        if "importers" in (read_config_file(config_path) or {}):
            return rasas_load(config_path, domain_path, training_data_paths, args)
        request: Request = (str(config_path), str(domain_path or ""), tuple(map(str, training_data_paths or ())))
        state = files_state([config_path, domain_path, *(training_data_paths or ())])
        waiting = _waiting.pop(request, None)
        if waiting is not None and waiting[0] == state:
            return waiting[1]
        importer = rasas_load(config_path, domain_path, training_data_paths, args)
        _waiting[request] = (state, importer)
        return importer

    setattr(load_from_config, _RASAS_OWN, rasas_load)
    TrainingDataImporter.load_from_config = staticmethod(load_from_config)
