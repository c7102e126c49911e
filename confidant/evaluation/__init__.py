"""Evaluations of the trained assistant on data it was never trained on."""
