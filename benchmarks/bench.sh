#!/usr/bin/env bash
# make bench: a throw-away PostgreSQL 15 on loopback (as .ci/run starts one),
# then benchmarks/scale.py (seeding, query counts, gunicorn, load); whatever
# happens, the cluster and the server are stopped on exit (trap).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${BENCH_PYTHON:-.venv/bin/python}

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$pgbin/initdb" ] || { echo "bench: PostgreSQL n'est pas installé (apt-get install postgresql)" >&2; exit 1; }
pgport=${BENCH_PG_PORT:-54341}
while (echo > /dev/tcp/127.0.0.1/$pgport) 2>/dev/null; do pgport=$((pgport + 1)); done

workdir=$(mktemp -d /tmp/tmspros-bench.XXXX)
chown postgres "$workdir"
cleanup() {
  if [ -f "$workdir/gunicorn.pid" ]; then
    kill "$(cat "$workdir/gunicorn.pid")" 2>/dev/null || true
  fi
  runuser -u postgres -- "$pgbin/pg_ctl" -D "$workdir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

runuser -u postgres -- "$pgbin/initdb" -D "$workdir/data" -A trust -U postgres >/dev/null
runuser -u postgres -- "$pgbin/pg_ctl" -D "$workdir/data" -l "$workdir/pg.log" \
  -o "-c listen_addresses=127.0.0.1 -p $pgport -k $workdir -c max_connections=100" -w start >/dev/null
echo "bench: PostgreSQL ($("$pgbin/postgres" --version | awk '{print $3}')) sur 127.0.0.1:$pgport"

BENCH_PG_URL="postgres://postgres@127.0.0.1:$pgport" BENCH_DIR="$workdir" \
  timeout 1500 "$PYTHON" -m benchmarks.scale
