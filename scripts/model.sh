# The model file that matches the current training inputs. Sourced.
# Training inputs: config, domain, the NLU/rules/stories data, and the pinned versions of the
# libraries that shape a model. The risk patterns in data/risk are read at start-up, not
# trained, so editing them needs a restart, not training; so does the project's own NLU code
# (confidant/nlu), which is imported at start-up, not trained or stored in the model.
training_fingerprint() {
  (cd "$ROOT" && {
      find config.yml domain.yml data/nlu data/rules data/stories -type f -name '*.yml' -print0 \
        | sort -z | xargs -0 sha256sum
      grep -iE '^(rasa|rasa-sdk|tensorflow|tensorflow-text|numpy|scikit-learn|scipy|spacy)==' requirements/lock.txt
    }) | sha256sum | cut -c1-16
}
MODEL_PATH="$ROOT/models/confidant-$(training_fingerprint).tar.gz"
export MODEL_PATH
