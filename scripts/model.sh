# The model file that matches the current training inputs. Sourced.
# Training inputs: config, domain, the NLU/rules/stories data, and the pinned versions of the
# libraries that shape a model. The risk patterns in data/risk are read at start-up, not
# trained, so editing them needs a restart, not training; so do the confidence gates in
# confidant/nlu, imported at start-up. The sentence encoder is different: its vectors are what
# the classifiers learn from, so its code and its pinned model package are training inputs; and
# so is the change that feeds DIET and the ResponseSelector sentence features only.
training_fingerprint() {
  (cd "$ROOT" && {
      find config.yml domain.yml data/nlu data/rules data/stories -type f -name '*.yml' -print0 \
        | sort -z | xargs -0 sha256sum
      find confidant/nlu/embedding confidant/nlu/neighbour_classifier.py \
        confidant/rasa_internals/sentence_features.py -type f -name '*.py' -print0 \
        | sort -z | xargs -0 sha256sum
      grep -v '^#' requirements/models.txt
      grep -iE '^(rasa|rasa-sdk|tensorflow|tensorflow-text|numpy|scikit-learn|scipy|spacy)==' requirements/lock.txt
    }) | sha256sum | cut -c1-16
}
MODEL_PATH="$ROOT/models/confidant-$(training_fingerprint).tar.gz"
export MODEL_PATH
