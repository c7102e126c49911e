"""Risk screen: finds messages that signal current danger (self-harm, harm to others, abuse).

`RiskScreen.from_directory("data/risk").screen(text)` returns a `RiskFinding`. The Rasa
component that wraps it lives in confidant.risk.component.
"""

from confidant.risk.patterns import PatternError
from confidant.risk.screen import Evidence, RiskCategory, RiskFinding, RiskLevel, RiskScreen

__all__ = ["Evidence", "PatternError", "RiskCategory", "RiskFinding", "RiskLevel", "RiskScreen"]
