# Local PostgreSQL and NATS for the cluster's scripts (sourced, not run):
# Debian's postgresql and nats-server, on 127.0.0.1, their files and logs
# in a directory of the caller's, stopped by stop_services.

service_pids=()
# nats-server lands in /usr/sbin, which not every PATH holds.
export PATH="$PATH:/usr/sbin"

# start_postgres DIR PORT: a new database cluster in DIR/pg, user "tinyim"
# without a password, listening on PORT; waits until it accepts.
start_postgres() {
  local dir=$1 port=$2 as_pg=() bin
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  if [ "$(id -u)" = 0 ]; then
    # initdb refuses root: the database belongs to Debian's postgres user.
    chown postgres:postgres "$dir"
    as_pg=(runuser -u postgres --)
  fi
  "${as_pg[@]}" "$bin/initdb" -D "$dir/pg" -U tinyim --auth=trust -E UTF8 --locale=C >/dev/null
  "${as_pg[@]}" "$bin/postgres" -D "$dir/pg" -p "$port" -k "$dir" \
    -c listen_addresses=127.0.0.1 -c max_connections=300 >"$dir/postgres.log" 2>&1 &
  service_pids+=($!)
  wait_for_port "$port" PostgreSQL
}

# start_nats DIR PORT: nats-server on PORT; waits until it accepts.
start_nats() {
  local dir=$1 port=$2
  nats-server -a 127.0.0.1 -p "$port" >"$dir/nats.log" 2>&1 &
  service_pids+=($!)
  wait_for_port "$port" NATS
}

# wait_for_port PORT NAME: until 127.0.0.1:PORT accepts (10 s at most).
wait_for_port() {
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "$2 did not start on port $1" >&2
  exit 1
}

stop_services() {
  kill "${service_pids[@]}" 2>/dev/null || true
  wait "${service_pids[@]}" 2>/dev/null || true
}
