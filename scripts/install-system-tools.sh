#!/usr/bin/env bash
# Installs the system tools Orchestra uses from the distribution's packages. Idempotent: a tool
# already on PATH is left alone. As root, or with sudo that asks no password, it installs the
# package; otherwise it says how and exits 0 (the worker then warns at start that bash runs
# without a sandbox, and each agent's policy decides whether bash may run).
# Run by `npm test` (pretest) and .ci/run; never interactive.
#   bwrap           bubblewrap: the sandbox agents' bash commands run in
#   docker-compose  validates docker-compose.yml in the tests (`config`: no engine needed)
#   chromium        the browser the dashboard's tests drive (test/dashboard.test.ts, playwright-core)
set -uo pipefail

# tool, then its package for apt-get, dnf, apk and pacman
TOOLS=(
  "bwrap bubblewrap bubblewrap bubblewrap bubblewrap"
  "docker-compose docker-compose docker-compose docker-cli-compose docker-compose"
  "chromium chromium chromium chromium chromium"
)

missing=()
for entry in "${TOOLS[@]}"; do
  read -r tool _ <<<"$entry"
  command -v "$tool" >/dev/null 2>&1 || missing+=("$entry")
done
[ ${#missing[@]} -eq 0 ] && exit 0

as_root=()
can_install=yes
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
    as_root=(sudo -n)
  else
    can_install=no
  fi
fi
run() { ${as_root[@]+"${as_root[@]}"} "$@" </dev/null >/dev/null; }

packages() { # $1: the column of the package manager (2 apt-get, 3 dnf, 4 apk, 5 pacman)
  for entry in "${missing[@]}"; do echo "$entry" | cut -d' ' -f"$1"; done
}

if [ "$can_install" = yes ]; then
  echo "installing $(packages 2 | tr '\n' ' ')..." >&2
  if command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    # A fresh machine may have no package lists yet: refresh once, then try again.
    mapfile -t pkgs < <(packages 2)
    run apt-get install -y -q "${pkgs[@]}" || { run apt-get update -q && run apt-get install -y -q "${pkgs[@]}"; }
  elif command -v dnf >/dev/null 2>&1; then
    mapfile -t pkgs < <(packages 3)
    run dnf install -y "${pkgs[@]}"
  elif command -v apk >/dev/null 2>&1; then
    mapfile -t pkgs < <(packages 4)
    run apk add --no-cache "${pkgs[@]}"
  elif command -v pacman >/dev/null 2>&1; then
    mapfile -t pkgs < <(packages 5)
    run pacman -S --noconfirm "${pkgs[@]}"
  fi
fi

still=()
for entry in "${missing[@]}"; do
  read -r tool _ <<<"$entry"
  command -v "$tool" >/dev/null 2>&1 || still+=("$tool")
done
[ ${#still[@]} -eq 0 ] && exit 0

cat >&2 <<MSG
Not on PATH, and this script could not install them (that needs root or sudo without a password,
and apt-get, dnf, apk or pacman): ${still[*]}.
Without bwrap, agents' bash commands run WITHOUT A SANDBOX (the worker warns at start). To install:
  Debian, Ubuntu: sudo apt-get install bubblewrap docker-compose chromium
  Fedora:         sudo dnf install bubblewrap docker-compose chromium
  Arch:           sudo pacman -S bubblewrap docker-compose
On macOS there is no bubblewrap: run the worker in a Linux VM or container, or set ORCHESTRA_SANDBOX=off.
MSG
exit 0
