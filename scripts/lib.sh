# Shared by scripts/run and scripts/test (sourced, not run). Installs what is
# missing, idempotently, and starts a private PostgreSQL cluster when
# DATABASE_URL is not set.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$HOME/.cargo/bin:$PATH"
CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = .*"=\([0-9.]*\)".*/\1/p' "$ROOT/Cargo.toml")
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}

log() { printf '\n\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  log "Installing Debian packages: $*"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# The wasm target, cargo-leptos and the wasm-bindgen CLI that matches the
# wasm-bindgen crate pinned in Cargo.toml (cargo-leptos would otherwise try
# to download one, which fails on machines without general internet).
ensure_rust_tools() {
  command -v cargo >/dev/null || { echo "Rust is required: https://rustup.rs" >&2; exit 1; }
  rustup target list --installed | grep -qx wasm32-unknown-unknown \
    || rustup target add wasm32-unknown-unknown
  rustup component list --installed | grep -q '^clippy' || rustup component add clippy
  rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    log "Installing cargo-leptos $CARGO_LEPTOS_VERSION (once; about 8 minutes on 2 cores)"
    CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_OPT_LEVEL=1 \
      cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
  fi
  if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
    log "Installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (once; about 2 minutes)"
    cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION"
  fi
}

# npm packages of end2end/: Playwright, axe-core and binaryen, whose
# wasm-opt the release build uses (Debian's binaryen breaks hydration).
ensure_node_packages() {
  command -v npm >/dev/null || apt_install nodejs npm
  if ! (cd "$ROOT/end2end" && [ -d node_modules ] && npm ls --silent >/dev/null 2>&1); then
    log "Installing end2end npm packages"
    (cd "$ROOT/end2end" && npm ci --no-audit --no-fund --loglevel=error)
  fi
  export PATH="$ROOT/end2end/node_modules/.bin:$PATH"
}

ensure_chromium() {
  [ -x /usr/bin/chromium ] || apt_install chromium
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
  local port=$1
  while port_in_use "$port"; do port=$((port + 1)); done
  echo "$port"
}

# A throw-away cluster for this checkout (pg_stat_statements loaded: the
# dashboard tests count the statements each endpoint runs): under target/pg (or a private temp
# directory when the postgres user cannot reach target/), on its own port,
# stopped when the calling script exits.
start_private_postgres() {
  if [ -n "${DATABASE_URL:-}" ]; then
    log "Using DATABASE_URL from the environment"
    return
  fi
  local initdb
  initdb=$(command -v initdb 2>/dev/null || ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$initdb" ]; then
    apt_install postgresql
    initdb=$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)
  fi
  PG_BIN=$(dirname "$(readlink -f "$initdb")")
  PG_DIR="$ROOT/target/pg"
  PG_RUN=()
  if [ "$(id -u)" = 0 ]; then
    # initdb refuses to run as root: the cluster belongs to the postgres user.
    id postgres >/dev/null 2>&1 || as_root useradd --system --home /var/lib/postgresql postgres
    mkdir -p "$ROOT/target"
    if ! runuser -u postgres -- test -x "$ROOT/target"; then
      PG_DIR=$(mktemp -d /tmp/rampart-pg.XXXXXX)
    fi
    mkdir -p "$PG_DIR"
    chown postgres "$PG_DIR"
    PG_RUN=(runuser -u postgres --)
  else
    mkdir -p "$PG_DIR"
  fi
  if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
    log "Creating a private PostgreSQL cluster in $PG_DIR"
    "${PG_RUN[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 >/dev/null
  fi
  "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" stop -m fast >/dev/null 2>&1 || true
  PG_PORT=$(free_port "${RAMPART_PG_PORT:-55432}")
  "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all" start >/dev/null
  # Remember which postmaster is ours: the exit trap stops that one only,
  # never a cluster another run has since started in the same directory.
  PG_PID=$(head -n 1 "$PG_DIR/data/postmaster.pid")
  trap stop_private_postgres EXIT
  "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres rampart 2>/dev/null || true
  export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/rampart"
  log "PostgreSQL is running: $DATABASE_URL"
}

stop_private_postgres() {
  local status=$?
  [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null || true
  if [ -n "${PG_PID:-}" ] && [ "$(head -n 1 "$PG_DIR/data/postmaster.pid" 2>/dev/null)" = "$PG_PID" ]; then
    "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" stop -m fast >/dev/null 2>&1 || true
  fi
  exit $status
}

# Where cargo-leptos put the site (it follows the target directory).
site_root() {
  local dir
  for dir in "$TARGET_DIR/site" "$ROOT/target/site"; do
    if [ -f "$dir/pkg/rampart.wasm" ]; then echo "$dir"; return; fi
  done
  echo "$ROOT/target/site"
}
