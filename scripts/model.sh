# The model file that matches the current training inputs. Sourced.
# Training inputs: config, domain and the NLU/rules/stories data. The risk patterns in
# data/risk are read at start-up, not trained, so editing them needs a restart, not training.
training_fingerprint() {
  (cd "$ROOT" && find config.yml domain.yml data/nlu data/rules data/stories requirements/lock.txt \
      -type f \( -name '*.yml' -o -name '*.txt' \) -print0 | sort -z | xargs -0 sha256sum) \
    | sha256sum | cut -c1-16
}
MODEL_PATH="$ROOT/models/confidant-$(training_fingerprint).tar.gz"
export MODEL_PATH
