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
  # Reinstall whenever pyproject.toml changed since the last install (its hash is the stamp).
  local stamp=.venv/.installed-$extras want
  want=$(sha256sum pyproject.toml | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    python -m pip install -q --upgrade pip >/dev/null
    if [ "$extras" = "none" ]; then
      python -m pip install -q -e .
    else
      python -m pip install -q -e ".[$extras]"
    fi
    echo "$want" > "$stamp"
  fi
}
