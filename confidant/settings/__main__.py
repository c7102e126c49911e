"""`python -m confidant.settings [FILE]`: check the settings file before starting anything."""

from __future__ import annotations

from confidant.settings.loading import SettingsError, load_settings


def main() -> None:
    """Exit 2 with every problem named, or say what the file sets up."""
    import sys

    try:
        settings = load_settings(sys.argv[1] if len(sys.argv) > 1 else None)
    except SettingsError as error:
        print(error, file=sys.stderr)
        raise SystemExit(2) from None
    answered = ", ".join(settings.addendum.answers) or "none yet"
    print(f"Practice settings OK: {settings.practice.name} (the practice's own answers: {answered})")


if __name__ == "__main__":
    main()
