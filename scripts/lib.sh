# shellcheck shell=bash
# scripts/lib.sh — small helpers shared by scripts/db.sh and scripts/deps.sh.
# Source it; do not execute it. Callers are expected to use `set -euo pipefail`.

# Repository root (physical path, symlinks resolved), derived from this file's location.
# shellcheck disable=SC2034  # used by the scripts that source this file
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"

# Progress and errors go to stderr so that stdout stays machine-readable
# (e.g. `DATABASE_URL=$(scripts/db.sh url)`).
log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# as_root CMD...: run CMD with root privileges — directly when we are root,
# through sudo when it exists, otherwise fail with a clear message.
as_root() {
  if is_root; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root to run '$*', but not running as root and sudo is not installed"
  fi
}

# apt_install PKG...: install Debian packages non-interactively.
# `apt-get update` runs at most once per script invocation. If another apt/dpkg
# run holds the lock (e.g. a parallel session), wait for it instead of failing.
_APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; please install manually: $*"
  if [ "$_APT_UPDATED" -eq 0 ]; then
    log "running apt-get update"
    as_root apt-get -o DPkg::Lock::Timeout=600 update >&2
    _APT_UPDATED=1
  fi
  log "installing Debian package(s): $*"
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "$@" >&2
}

# random_hex N: print 2*N random hex characters (no newline).
random_hex() {
  if command -v openssl >/dev/null 2>&1; then
    openssl rand -hex "$1" | tr -d '\n'
  else
    od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'
  fi
}

# write_secret_once FILE NBYTES: atomically create FILE (mode 600) holding
# 2*NBYTES random hex characters, unless it already exists. Safe against a
# concurrent caller doing the same: the first `ln` wins, the loser keeps the winner's file.
write_secret_once() {
  local file="$1" nbytes="$2" tmp
  [ -s "$file" ] && return 0
  mkdir -p "$(dirname "$file")"
  tmp="$(umask 077 && mktemp "$file.XXXXXX")"
  random_hex "$nbytes" >"$tmp"
  printf '\n' >>"$tmp"
  chmod 600 "$tmp"
  ln "$tmp" "$file" 2>/dev/null || true   # fails harmlessly if someone else won
  rm -f "$tmp"
  [ -s "$file" ] || die "could not create $file"
}
