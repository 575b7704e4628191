# Shared by scripts/test and scripts/demo: a virtualenv in .venv with the hub installed.
# pip's cache lives outside the checkout, so a second run installs in seconds. Installing
# says what it does and roughly how long it takes (one line), then how long it took; pip's
# own output goes to .venv/pip.log (its end is shown when pip fails).
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
    echo "== updating $what in .venv (pyproject.toml changed: pip install -e ., usually under a minute)"
  else
    echo "== installing $what into .venv (a new virtualenv and pip install -e .: about 1-3 minutes;" \
         "pip's messages go to .venv/pip.log)"
    "$py" -m venv .venv
  fi
  # shellcheck disable=SC1091
  source .venv/bin/activate
  local target=. status=0
  [ "$extras" = "none" ] || target=".[$extras]"
  { python -m pip install -q --upgrade pip && python -m pip install -q -e "$target"; } > .venv/pip.log 2>&1 || status=$?
  if [ "$status" -ne 0 ]; then
    tail -n 30 .venv/pip.log >&2
    echo "== pip failed (exit $status); its whole output is in .venv/pip.log" >&2
    return "$status"
  fi
  echo "$want" > "$stamp"
  echo "== installed in $((SECONDS - began)) s"
}
