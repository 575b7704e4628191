# Shared by scripts/test and scripts/demo: a virtualenv in .venv with the hub installed.
# pip's cache lives outside the checkout, so a second run installs in seconds.
ensure_venv() {
  local extras="$1"
  local py="${PYTHON:-python3}"
  if [ ! -x .venv/bin/python ]; then
    "$py" -m venv .venv
  fi
  # shellcheck disable=SC1091
  source .venv/bin/activate
  local stamp=.venv/.installed-$extras
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    python -m pip install -q --upgrade pip >/dev/null
    if [ "$extras" = "none" ]; then
      python -m pip install -q -e .
    else
      python -m pip install -q -e ".[$extras]"
    fi
    touch "$stamp"
  fi
}
