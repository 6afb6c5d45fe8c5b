# shellcheck shell=bash
# Shared by demo.sh, test.sh and bench.sh: install prerequisites, run a throwaway cluster.

say() { printf '\n\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

pg_bindir() {
  if [[ -n "${PGBIN:-}" && -x "$PGBIN/initdb" ]]; then echo "$PGBIN"; return; fi
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n | tail -n 1 || true)
  if [[ -n "$d" && -x "$d/initdb" ]]; then echo "$d"; return; fi
  if command -v pg_config >/dev/null 2>&1 && [[ -x "$(pg_config --bindir)/initdb" ]]; then pg_config --bindir; return; fi
  return 1
}

# apt-get install the given Debian packages when running as root (or with sudo) on Debian.
apt_install() {
  local sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || return 1
    sudo="sudo"
  fi
  command -v apt-get >/dev/null 2>&1 || return 1
  say "installing $*"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >&2 \
    || { $sudo apt-get update >&2 && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >&2; }
}

require_java() {
  command -v java >/dev/null 2>&1 || apt_install openjdk-17-jdk-headless \
    || die "Java 17 or newer is required: install a JDK 17 (Debian: apt-get install openjdk-17-jdk-headless)"
  local v
  v=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
  [[ -n "$v" && "$v" -ge 17 ]] || die "Java 17 or newer is required, found: $(java -version 2>&1 | head -n 1)"
}

require_postgres() {
  if ! pg_bindir >/dev/null || ! command -v psql >/dev/null 2>&1 || ! command -v pg_dump >/dev/null 2>&1; then
    apt_install postgresql postgresql-client \
      || die "PostgreSQL server and client programs are required: install them (Debian: apt-get install postgresql postgresql-client; elsewhere your distribution's PostgreSQL server package, then set PGBIN to its bin directory)"
  fi
  pg_bindir >/dev/null || die "initdb not found after installing PostgreSQL; set PGBIN to the server's bin directory"
}

# Builds target/pgsubset.jar unless it is newer than every source file.
build_jar() {
  local root=$1
  if [[ ! -f "$root/target/pgsubset.jar" ]] || [[ -n "$(find "$root/src/main" "$root/pom.xml" -newer "$root/target/pgsubset.jar" -print -quit)" ]]; then
    say "building target/pgsubset.jar"
    (cd "$root" && ./mvnw -B -q package -DskipTests) >&2
  fi
}

# as_pg CMD...: run a server program as the postgres OS user when we are root (initdb refuses root).
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  local port
  for port in $(shuf -i 20000-60000 -n 50); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  die "no free TCP port found"
}

# start_cluster DIR: initdb + pg_ctl start in DIR on a free port; exports PGHOST/PGPORT/PGUSER.
start_cluster() {
  local dir=$1 bin
  bin=$(pg_bindir)
  mkdir -p "$dir"
  if [[ $(id -u) -eq 0 ]]; then chown postgres: "$dir"; fi
  as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
  CLUSTER_PORT=$(free_port)
  as_pg tee -a "$dir/data/postgresql.conf" >/dev/null <<CONF
port = $CLUSTER_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_wal_size = 4GB
checkpoint_timeout = 30min
wal_level = replica
shared_buffers = 512MB
maintenance_work_mem = 512MB
CONF
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null
  CLUSTER_DIR=$dir
  export PGHOST=127.0.0.1 PGPORT=$CLUSTER_PORT PGUSER=postgres
  unset PGPASSWORD PGDATABASE
}

stop_cluster() {
  if [[ -n "${CLUSTER_DIR:-}" && -f "$CLUSTER_DIR/data/postmaster.pid" ]]; then
    as_pg "$(pg_bindir)/pg_ctl" -D "$CLUSTER_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
}
