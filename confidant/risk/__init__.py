"""Risk screen: finds messages that signal current danger (self-harm, harm to others, abuse).

`confidant.risk.screen.RiskScreen.from_directory("data/risk").screen(text)` returns a
`RiskFinding` (`confidant.risk.findings`); the Rasa component that wraps it is
`confidant.risk.component`. Nothing is
imported here, so a process that only needs the risk vocabulary (`confidant.vocabulary`) does not
load spaCy.
"""
