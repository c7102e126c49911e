# Every target runs with telemetry off and the project's environment (scripts/env.sh).
SHELL := /bin/bash
ENV := source scripts/env.sh &&

.DEFAULT_GOAL := help
.PHONY: help install train run shell test test-unit lint typecheck audit validate eval eval-independent eval-seeds eval-cv eval-risk bench bench-profiles lock clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

install: ## Create .venv (Python 3.10) and install the pinned dependencies (runtime, tests and tools)
	@scripts/install.sh

train: install ## Train the model if config, domain or data changed
	@scripts/train.sh

run: ## Install, train if needed, and run the assistant with its chat page on localhost
	@scripts/run.sh

shell: train ## Chat with the assistant in the terminal (starts the action server too)
	@$(ENV) source scripts/model.sh && \
	  (python -m confidant.action_server --port $$CONFIDANT_ACTION_PORT & echo $$! > var/shell-actions.pid) && \
	  trap 'kill $$(cat var/shell-actions.pid)' EXIT && \
	  python -m confidant.rasa_command shell --model "$$MODEL_PATH" --endpoints endpoints.yml

test: train ## Run the whole test suite (lint, data validation, unit, end-to-end, evaluations)
	@$(ENV) scripts/test.sh

test-unit: install ## Lint and the tests that need no model and no services (a couple of minutes)
	@scripts/test_unit.sh

lint: install ## ruff (lint and format check) over all Python
	@$(ENV) ruff check . && $(ENV) ruff format --check .

typecheck: install ## mypy over confidant/, actions/ and review/ (settings in pyproject.toml)
	@$(ENV) mypy

audit: install ## Audit the locked dependencies against the vendored advisory snapshot (offline)
	@$(ENV) python scripts/audit_dependencies.py

validate: install ## rasa data validate (must be free of warnings)
	@$(ENV) scripts/validate.sh

eval: train ## FAQ intent/answer evaluation on the held-out split (prints P/R/F1)
	@$(ENV) source scripts/model.sh && python -m confidant.evaluation.faq --model "$$MODEL_PATH"

eval-independent: train ## Questions and risk on the independent sets (heldout/, ../shared/eval-dev/): strict/helpful, per topic and length; recall per category and writer
	@$(ENV) source scripts/model.sh && python -m confidant.evaluation.independent --model "$$MODEL_PATH" $(ARGS)

eval-seeds: install ## The independent sets over several random seeds (slow: trains the NLU once a seed, about 9 minutes each; ARGS="--seeds 42 7 1")
	@$(ENV) python -m confidant.evaluation.seeds $(ARGS)

eval-cv: install ## 5-fold cross-validation of the NLU data (slow: trains 5 models)
	@$(ENV) python -m confidant.rasa_command test nlu --nlu data/nlu --config config.yml --cross-validation --folds 5 --out var/cross-validation

eval-risk: train ## Risk detection recall and false alarms, per layer and for the union
	@$(ENV) source scripts/model.sh && python -m confidant.evaluation.risk --model "$$MODEL_PATH"

bench: install ## Ours against the stock rasa init assistant, each figure with its ratio (trains both)
	@scripts/bench.sh $(ARGS)

bench-profiles: train ## Our profiles: production, two instances, workers, turn cost (prints figures)
	@$(ENV) scripts/bench_profiles.sh

lock: ## Re-resolve requirements/lock.txt (runtime) and lock-dev.txt (tests, tools) from direct*.txt
	@scripts/lock.sh

clean: ## Remove models, local databases and the virtualenv
	rm -rf .venv models var .pytest_cache .mypy_cache web/node_modules
