#!/usr/bin/env bash
# Prints the model the editor tests run on (CROMWELL_TEST_MODEL, default: SmolLM2 in the model
# store), or fails with the command that gets it. Run by editor-clients/*/test/run.sh.
store=${CROMWELL_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/cromwell}/models
model=${CROMWELL_TEST_MODEL:-$store/smollm2-135m-instruct.gguf}
if [ ! -f "$model" ]; then
  echo "editor tests: $model is missing; get it with: bin/cromwell pull smollm2-135m-instruct" >&2
  exit 1
fi
echo "$model"
