"""`python -m confidant.rasa_command run|shell|test ...`: Rasa's own command line, after Confidant's start-up step.

The step (`confidant.rasa_internals.install`) refuses a Rasa version this project was not
tested with and installs its changes to Rasa before Rasa loads anything; the arguments are
Rasa's, unchanged. `make run`, `make shell`, the story tests and the test servers start Rasa
this way.
"""

from __future__ import annotations

import sys
from typing import List, Optional

from confidant import rasa_internals


def main(arguments: Optional[List[str]] = None) -> None:
    try:
        rasa_internals.install()
    except rasa_internals.UntestedRasaError as error:
        raise SystemExit(str(error)) from None
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *(sys.argv[1:] if arguments is None else arguments)]
    rasa_main()


if __name__ == "__main__":
    main()
