#!/usr/bin/env bash
# The model, service, registry, example and compatibility tests on every other supported Python
# (the whole suite runs on the default one in .ci/run). Each version gets a virtual
# environment of its own under .ci/.venv-pyX.Y. Versions come from pyenv when it is there.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSIONS=${PYTHON_VERSIONS:-"3.10 3.12 3.13"}
if command -v pyenv >/dev/null 2>&1 && [ -z "${PYENV_VERSION:-}" ]; then
    PYENV_VERSION=$(pyenv versions --bare | grep -E '^3\.(10|11|12|13)\.' | tr '\n' ':' | sed 's/:$//')
    export PYENV_VERSION
fi
for version in $VERSIONS; do
    python="python$version"
    command -v "$python" >/dev/null || { echo "$python is not installed" >&2; exit 1; }
    env=".ci/.venv-py$version"
    echo "== Python $version"
    [ -x "$env/bin/python" ] || "$python" -m venv "$env"
    "$env/bin/pip" install -q --disable-pip-version-check -e '.[test]'
    "$env/bin/python" -m pytest -q -p no:cacheprovider tests/model tests/service tests/registry tests/examples tests/compat
done
