# Shared by scripts/test and scripts/demo: a virtualenv in .venv with the hub installed.
# pip's cache lives outside the checkout, so a second run installs in seconds. Installing
# says what it does and roughly how long it takes (one line), then how long it took.
ensure_venv() {
  local extras="$1"
  local py="${PYTHON:-python3}"
  # Reinstall whenever pyproject.toml changed since the last install (its hash is the stamp).
  local stamp=.venv/.installed-$extras want
  want=$(sha256sum pyproject.toml | cut -d' ' -f1)
  if [ -x .venv/bin/python ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    # shellcheck disable=SC1091
    source .venv/bin/activate
    return
  fi
  local what="the hub" began=$SECONDS
  [ "$extras" = "none" ] || what="the hub with its $extras tools"
  if [ -x .venv/bin/python ]; then
    echo "== updating $what in .venv (pyproject.toml changed; pip, usually under a minute)"
  else
    echo "== installing $what into .venv (a new virtualenv and pip install: about 1-3 minutes the first" \
         "time, under a minute when pip's cache is warm)"
    "$py" -m venv .venv
  fi
  # shellcheck disable=SC1091
  source .venv/bin/activate
  python -m pip install -q --upgrade pip >/dev/null
  if [ "$extras" = "none" ]; then
    python -m pip install -q -e .
  else
    python -m pip install -q -e ".[$extras]"
  fi
  echo "$want" > "$stamp"
  echo "== installed in $((SECONDS - began)) s"
}
