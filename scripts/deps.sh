#!/usr/bin/env bash
# scripts/deps.sh — make sure system packages the project needs are installed.
#
#   scripts/deps.sh fonts      PDF fonts: fonts-dejavu-core (Latin), fonts-droid-fallback (Chinese),
#                              fonts-nanum (Korean); and poppler-utils (pdftotext, for the PDF tests)
#   scripts/deps.sh chromium   chromium (/usr/bin/chromium, for browser tests and screenshots)
#
# Several names may be given at once. Nothing is installed when the files are
# already present; `apt-get update` runs at most once, and only if something is missing.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# ensure_pkg PACKAGE FILE: install Debian PACKAGE unless FILE already exists.
ensure_pkg() {
  local pkg="$1" file="$2"
  if [ -e "$file" ]; then
    return 0
  fi
  log "$file is missing; installing $pkg"
  apt_install "$pkg"
  [ -e "$file" ] || die "installed $pkg, but $file is still missing"
}

main() {
  [ "$#" -gt 0 ] || { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}" >&2; exit 2; }
  local what
  for what in "$@"; do
    case "$what" in
      fonts)
        ensure_pkg fonts-dejavu-core /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
        ensure_pkg fonts-droid-fallback /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf
        ensure_pkg fonts-nanum /usr/share/fonts/truetype/nanum/NanumGothic.ttf
        ensure_pkg poppler-utils /usr/bin/pdftotext
        ;;
      chromium) ensure_pkg chromium /usr/bin/chromium ;;
      *) die "unknown dependency '$what' (known: fonts, chromium)" ;;
    esac
  done
}

main "$@"; exit $?
