"""A pretrained sentence encoder (all-MiniLM-L6-v2) run in numpy, for the NLU pipeline's dense features."""
