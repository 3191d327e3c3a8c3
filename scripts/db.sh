#!/usr/bin/env bash
# scripts/db.sh — the project's private PostgreSQL cluster.
#
#   scripts/db.sh url         print a DATABASE_URL (starting the cluster if needed);
#                             if DATABASE_URL is already set, just print that
#   scripts/db.sh stop        stop the cluster if it is running
#   scripts/db.sh status      show where the cluster lives and whether it is running
#   scripts/db.sh jwt-secret  print .data/jwt-secret, creating it if missing (used by `make run`)
#
# The cluster lives in $REPO/.data/pg (git-ignored). When run as root (sessions, CI),
# PostgreSQL itself runs as the `postgres` OS user; if that user cannot reach the repo
# (e.g. a clone under a mode-700 /root), the cluster is placed in
# /var/lib/sizerun/<hash of repo path>/pg and .data/pg is a symlink to it.
#
# Environment:
#   DATABASE_URL     if set, `url` prints it and does nothing else
#   SIZERUN_PG_PORT  TCP port of the cluster (default 54329); set it to run two clones side by side
#
# Only the URL (or secret) goes to stdout; all progress messages go to stderr.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DATA="$REPO/.data"
PGLINK="$DATA/pg"                 # the data folder, or a symlink to the real one
PWFILE="$DATA/pg-password"        # password of the `postgres` and `sizerun` roles
JWTFILE="$DATA/jwt-secret"
LOCKFILE="$DATA/pg.lock"
PORT="${SIZERUN_PG_PORT:-54329}"
DB_USER=sizerun
DB_NAME=sizerun
FALLBACK="/var/lib/sizerun/$(printf '%s' "$REPO" | sha1sum | cut -c1-12)/pg"

DATADIR=""   # real (non-symlink) path of the data folder; set by resolve_datadir
PGBIN=""     # folder with initdb/pg_ctl/psql; set by find_pg_bin
TMPFILES=()  # removed on exit
trap 'rm -f "${TMPFILES[@]+"${TMPFILES[@]}"}"' EXIT

# Ignore the caller's libpq settings (PGHOST, PGPORT, PGDATA, ...): every
# connection and pg_ctl call below is fully explicit.
while read -r v; do unset "$v"; done < <(compgen -e | grep '^PG' || true)

[[ "$PORT" =~ ^[0-9]+$ ]] || die "SIZERUN_PG_PORT must be a number, got '$PORT'"

# ---------------------------------------------------------------------------
# Helpers

# pg_as CMD...: run a PostgreSQL program as the cluster owner. initdb/postgres
# refuse to run as root, so as root we switch to the `postgres` OS user (from /,
# so that an unreadable current directory does not produce warnings).
# The lock descriptor (fd 9) is closed for the child: a server started by
# `pg_ctl start` would otherwise inherit it and hold the lock forever.
pg_as() {
  if is_root; then
    (cd / && runuser -u postgres -- "$@") 9>&-
  else
    "$@" 9>&-
  fi
}

# postgres_can_reach DIR: can the `postgres` OS user traverse DIR (and thereby every parent)?
postgres_can_reach() {
  (cd / && runuser -u postgres -- test -x "$1") 2>/dev/null
}

# find_pg_bin [install]: locate the server binaries. Prefer the major version the
# existing cluster was created with (a newer server cannot open an older cluster),
# otherwise the newest installed. With "install", install Debian's `postgresql` if none.
find_pg_bin() {
  local want="" cands=() newest
  if [ -n "$DATADIR" ] && [ -f "$DATADIR/PG_VERSION" ]; then
    want="$(cat "$DATADIR/PG_VERSION")"
    if [ -x "/usr/lib/postgresql/$want/bin/pg_ctl" ]; then
      PGBIN="/usr/lib/postgresql/$want/bin"
      return 0
    fi
  fi
  shopt -s nullglob
  cands=(/usr/lib/postgresql/*/bin/initdb)
  shopt -u nullglob
  if [ "${#cands[@]}" -eq 0 ]; then
    [ "${1:-}" = install ] || return 1
    log "no PostgreSQL server found under /usr/lib/postgresql; installing Debian's postgresql package"
    apt_install postgresql
    shopt -s nullglob
    cands=(/usr/lib/postgresql/*/bin/initdb)
    shopt -u nullglob
    [ "${#cands[@]}" -gt 0 ] || die "installed postgresql, but still no /usr/lib/postgresql/*/bin/initdb"
  fi
  newest="$(printf '%s\n' "${cands[@]}" | sort -V | tail -n 1)"
  PGBIN="$(dirname "$newest")"
  if [ -n "$want" ]; then
    die "the cluster in $DATADIR was created by PostgreSQL $want, which is not installed (found $PGBIN);" \
        "install postgresql-$want or remove $PGLINK (losing its data)"
  fi
}

# make_owned_dir DIR: create DIR (mode 700) owned by whoever runs the server.
make_owned_dir() {
  mkdir -p "$1"
  if is_root; then chown postgres:postgres "$1"; fi
  chmod 700 "$1"
}

# resolve_datadir [create]: set DATADIR to the real path of the data folder.
# With "create", also decide where a new cluster goes and create its folder.
resolve_datadir() {
  if [ -L "$PGLINK" ]; then
    DATADIR="$(readlink "$PGLINK")"
    if [ "${1:-}" = create ] && [ ! -d "$DATADIR" ]; then
      log "symlink target $DATADIR is missing; recreating it"
      mkdir -p "$(dirname "$DATADIR")"
      make_owned_dir "$DATADIR"
    fi
    return 0
  fi
  DATADIR="$PGLINK"
  [ "${1:-}" = create ] || return 0

  # Can the server use $REPO/.data/pg directly? As root it runs as `postgres`,
  # which must be able to traverse every parent folder. Unix socket paths are also
  # limited to ~107 bytes, and the socket lives in the data folder.
  local sock="$PGLINK/.s.PGSQL.$PORT" ok=1 why=""
  if is_root && ! postgres_can_reach "$DATA"; then
    ok=0; why="the postgres OS user cannot traverse $DATA"
  elif [ "${#sock}" -gt 100 ]; then
    ok=0; why="the socket path $sock is too long"
  fi

  if [ -d "$PGLINK" ]; then
    [ "$ok" -eq 1 ] && return 0
    if [ -n "$(ls -A "$PGLINK")" ]; then
      die "$why, and $PGLINK already holds data; move the repository or remove $PGLINK"
    fi
    rmdir "$PGLINK"    # empty: replace it by a symlink below
  fi

  if [ "$ok" -eq 1 ]; then
    make_owned_dir "$PGLINK"
    return 0
  fi
  is_root || die "$why; move the repository to a shorter path"
  log "$why; using $FALLBACK (symlinked from $PGLINK)"
  mkdir -p /var/lib/sizerun
  chmod 755 /var/lib/sizerun
  make_owned_dir "$(dirname "$FALLBACK")"
  make_owned_dir "$FALLBACK"
  ln -sfn "$FALLBACK" "$PGLINK"
  DATADIR="$FALLBACK"
}

have_cluster() { [ -f "$DATADIR/PG_VERSION" ]; }

is_running() { pg_as "$PGBIN/pg_ctl" -D "$DATADIR" status >/dev/null 2>&1; }

# admin_psql ARGS...: psql as the `postgres` superuser. As root: peer authentication
# over the Unix socket in the data folder. Otherwise the OS user name differs from
# `postgres`, so use the password over TCP.
admin_psql() {
  if is_root; then
    pg_as "$PGBIN/psql" -X -h "$DATADIR" -p "$PORT" -U postgres -d postgres "$@"
  else
    PGPASSWORD="$(head -n 1 "$PWFILE")" "$PGBIN/psql" -X -h 127.0.0.1 -p "$PORT" -U postgres -d postgres "$@"
  fi
}

# take_lock: serialize concurrent invocations (e.g. two `make` targets at once).
take_lock() {
  mkdir -p "$DATA"
  exec 9>"$LOCKFILE"
  if ! flock -n 9; then
    log "waiting for another scripts/db.sh to finish"
    flock -w 300 9 || die "timed out waiting for $LOCKFILE"
  fi
}

# ---------------------------------------------------------------------------
# Cluster lifecycle

init_cluster() {
  if [ -n "$(ls -A "$DATADIR" 2>/dev/null)" ]; then
    die "$DATADIR is not empty but holds no cluster (no PG_VERSION); remove it and retry"
  fi
  write_secret_once "$PWFILE" 16

  # initdb reads the superuser password from a file the cluster owner can read.
  local tmp out locale=C locales
  tmp="$(umask 077 && mktemp)"
  TMPFILES+=("$tmp")
  head -n 1 "$PWFILE" >"$tmp"
  if is_root; then chown postgres "$tmp"; fi

  locales="$(locale -a 2>/dev/null || true)"
  if grep -qiE '^c\.utf-?8$' <<<"$locales"; then locale=C.UTF-8; fi

  log "initializing a new cluster in $DATADIR (PostgreSQL $(basename "$(dirname "$PGBIN")"), locale $locale)"
  out="$(umask 077 && mktemp)"
  TMPFILES+=("$out")
  if ! pg_as "$PGBIN/initdb" -D "$DATADIR" -U postgres \
      --auth-local=peer --auth-host=scram-sha-256 \
      -E UTF8 --locale="$locale" --pwfile="$tmp" >"$out" 2>&1; then
    cat "$out" >&2
    die "initdb failed"
  fi
  rm -f "$tmp" "$out"
  ensure_socket_auth >/dev/null

  # Appended as root the file keeps its owner; the last setting in the file wins.
  cat >>"$DATADIR/postgresql.conf" <<CONF

# --- added by scripts/db.sh ---
listen_addresses='127.0.0.1'
port=$PORT
unix_socket_directories='$DATADIR'
max_connections=300
shared_buffers=256MB
logging_collector=off
CONF
}

# The application connects over the Unix socket in the data folder (a round
# trip costs less there than over TCP: 10% more orders/s under load, issue 6),
# with its password, so the role gets a password line ahead of initdb's
# "local all all peer" (which keeps serving root's admin_psql as postgres).
# Clusters made before this line existed get it too. The file is rewritten in
# place, keeping its owner. Prints "changed" when it added the line.
SOCKET_AUTH_LINE="local   all             $DB_USER                                 scram-sha-256   # added by scripts/db.sh"
ensure_socket_auth() {
  local hba="$DATADIR/pg_hba.conf" new
  grep -qxF "$SOCKET_AUTH_LINE" "$hba" && return 0
  new="$(awk -v line="$SOCKET_AUTH_LINE" '
    !done && $0 !~ /^[ \t]*(#|$)/ { print line; done = 1 }
    { print }
    END { if (!done) print line }' "$hba")"
  printf '%s\n' "$new" >"$hba"
  echo changed
}

# If SIZERUN_PG_PORT changed since the cluster was created, rewrite our port line.
# Prints "changed" when it did.
sync_port() {
  local conf="$DATADIR/postgresql.conf" current
  current="$(grep -E '^port=' "$conf" | tail -n 1 | cut -d= -f2 || true)"
  if [ "$current" != "$PORT" ]; then
    log "switching cluster port from ${current:-default} to $PORT"
    sed -i -E "s/^port=.*/port=$PORT/" "$conf"
    grep -qE '^port=' "$conf" || printf 'port=%s\n' "$PORT" >>"$conf"
    echo changed
  fi
}

start_cluster() {
  log "starting PostgreSQL on 127.0.0.1:$PORT (log: $DATADIR/server.log)"
  if ! pg_as "$PGBIN/pg_ctl" -D "$DATADIR" -l "$DATADIR/server.log" -w -t 60 start >&2; then
    log "pg_ctl start failed; last lines of $DATADIR/server.log:"
    tail -n 20 "$DATADIR/server.log" >&2 || true
    die "could not start PostgreSQL (is port $PORT in use? set SIZERUN_PG_PORT)"
  fi
}

# Create the login role and its database if missing (idempotent, one psql call).
# With "reset-password", (re)set both roles' passwords from $PWFILE.
ensure_role_and_db() {
  local pw
  pw="$(head -n 1 "$PWFILE")"
  [[ "$pw" =~ ^[0-9a-f]+$ ]] || die "$PWFILE must hold a hex password"
  {
    cat <<SQL
SELECT format('CREATE ROLE %I LOGIN CREATEDB PASSWORD %L', '$DB_USER', '$pw')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER')
\gexec
SELECT format('CREATE DATABASE %I OWNER %I', '$DB_NAME', '$DB_USER')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB_NAME')
\gexec
SQL
    if [ "${1:-}" = reset-password ]; then
      printf "ALTER ROLE %s LOGIN CREATEDB PASSWORD '%s';\n" "$DB_USER" "$pw"
      printf "ALTER ROLE postgres PASSWORD '%s';\n" "$pw"
    fi
  } | admin_psql -q -v ON_ERROR_STOP=1 >&2 \
    || die "could not create role/database $DB_USER/$DB_NAME (see messages above)"
}

ensure_cluster() {
  take_lock
  resolve_datadir create
  find_pg_bin install
  if is_root && ! id postgres >/dev/null 2>&1; then
    die "running as root but there is no 'postgres' OS user (reinstall Debian's postgresql-common)"
  fi

  local reset="" hba=""
  if ! have_cluster; then
    init_cluster
  else
    hba="$(ensure_socket_auth)"
    if [ ! -s "$PWFILE" ]; then
      # The cluster survived but its password file did not: make a new one.
      is_root || die "$PWFILE is missing; cannot reset the password without root (remove $PGLINK to start over)"
      log "$PWFILE is missing; generating a new password"
      write_secret_once "$PWFILE" 16
      reset="reset-password"
    fi
  fi

  if is_running; then
    if [ -n "$(sync_port)" ]; then
      log "restarting PostgreSQL to apply the new port"
      pg_as "$PGBIN/pg_ctl" -D "$DATADIR" -m fast -w stop >&2
      start_cluster
    elif [ -n "$hba" ]; then
      log "reloading PostgreSQL: the application now connects over the Unix socket"
      pg_as "$PGBIN/pg_ctl" -D "$DATADIR" reload >&2
    fi
  else
    sync_port >/dev/null
    start_cluster
  fi
  ensure_role_and_db "$reset"
}

# ---------------------------------------------------------------------------
# Commands

cmd_url() {
  if [ -n "${DATABASE_URL:-}" ]; then
    printf '%s\n' "$DATABASE_URL"
    return 0
  fi
  ensure_cluster
  # Over the Unix socket in the data folder (see ensure_socket_auth).
  printf 'postgres://%s:%s@/%s?host=%s&port=%s&sslmode=disable\n' \
    "$DB_USER" "$(head -n 1 "$PWFILE")" "$DB_NAME" "$(url_escape "$DATADIR")" "$PORT"
}

# url_escape S: S percent-encoded, byte by byte, for a URL's query (/ kept).
url_escape() {
  local LC_ALL=C s="$1" out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c="${s:i:1}"
    case "$c" in
      [A-Za-z0-9/._~-]) out+="$c" ;;
      *) out+="$(printf '%%%02X' "'$c")" ;;
    esac
  done
  printf '%s' "$out"
}

cmd_stop() {
  take_lock
  resolve_datadir
  if ! have_cluster; then
    echo "no cluster at $PGLINK; nothing to stop"
    return 0
  fi
  find_pg_bin || die "no PostgreSQL binaries found; cannot stop $DATADIR"
  if is_running; then
    pg_as "$PGBIN/pg_ctl" -D "$DATADIR" -m fast -w stop >&2
    echo "stopped PostgreSQL ($DATADIR)"
  else
    echo "PostgreSQL is not running ($DATADIR)"
  fi
}

# Exit status like pg_ctl status: 0 running, 3 not running (or no cluster).
cmd_status() {
  resolve_datadir
  echo "repository: $REPO"
  if [ -L "$PGLINK" ]; then
    echo "data:       $PGLINK -> $DATADIR"
  else
    echo "data:       $DATADIR"
  fi
  if ! have_cluster; then
    echo "cluster:    none yet (created by 'scripts/db.sh url')"
    return 3
  fi
  if ! find_pg_bin; then
    echo "cluster:    PostgreSQL $(cat "$DATADIR/PG_VERSION"), but no server binaries installed"
    return 3
  fi
  echo "binaries:   $PGBIN"
  echo "port:       $PORT"
  if is_running; then
    echo "state:      running"
    pg_as "$PGBIN/pg_ctl" -D "$DATADIR" status | sed 's/^/            /'
  else
    echo "state:      stopped"
    return 3
  fi
}

cmd_jwt_secret() {
  write_secret_once "$JWTFILE" 32
  head -n 1 "$JWTFILE"
}

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}" >&2
  exit 2
}

main() {
  case "${1:-}" in
    url) cmd_url ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    jwt-secret) cmd_jwt_secret ;;
    *) usage ;;
  esac
}

# Everything above is only definitions; `exit` on the same line keeps bash from
# reading further, so editing this file while it runs cannot confuse a running call.
main "$@"; exit $?
