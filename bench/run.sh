#!/usr/bin/env bash
# Flotilla benchmark: a fleet rollout of the sample catalog to N empty tenant schemas, against the floor of the
# same SQL applied by plain parallel psql sessions; then the fleet and drift views over a synthetic fleet.
#
#   bench/run.sh [N ...]          default: 100 1000 (10000 only when asked)
#   bench/run.sh fleet            the fleet view part only
#   bench/run.sh adopt [N]        fleet adoption: N (1000) schemas built as Flyway leaves them (the catalog applied,
#                                 flyway_schema_history as Flyway writes it), then discover, dry run and adopt timed
#   bench/run.sh traffic [N]      live traffic on N (200) tenants while a rollout alters their table, with
#                                 BENCH_BLOCKED (20) of them blocked by an open transaction for BENCH_HOLD (20) s:
#                                 Flotilla's lock timeouts and retries against one attempt without a timeout
#                                 (BENCH_TRAFFIC_MODES: which of "unblocked retries wait single", all by default)
#
# Env knobs: BENCH_PARALLEL (4: Flotilla's maxParallel and the floor's psql sessions), DB_HOST/DB_PORT/DB_USER/
# DB_PASSWORD (127.0.0.1/5432/postgres/empty), BENCH_FLEET (10000 companies; 0 skips the fleet view part),
# BENCH_LEDGER_ROWS (500000), BENCH_KEEP=1 (keep the database), BENCH_LOG_LEVEL (WARN; INFO to see slow steps),
# BENCH_JAVA_OPTS (extra JVM options for the service, e.g. a JFR recording), BENCH_DB (flotilla_bench),
# BENCH_WARMUP (200: schemas of an untimed rollout before the timed one; 0 times a freshly started JVM),
# BENCH_IMAGE_JAVA_OPTS (1: the JVM options of docker/Dockerfile.jvm; 0: the JVM's defaults).
# Scratch files (service logs, psql batches, JSON results) go to bench/.work/; results are appended to
# bench/results.md.
set -euo pipefail

bench_dir="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$bench_dir/.." && pwd)"
cd "$repo"

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100 1000)
[ "${sizes[0]}" != fleet ] || sizes=()
# bench/run.sh servers [N]: only the rollout of N companies spread over 1, 2 and 3 servers.
SERVERS_N=""
if [ "${sizes[0]:-}" = servers ]; then SERVERS_N="${sizes[1]:-1000}"; sizes=(); BENCH_FLEET=0; fi
ADOPT_N=""
if [ "${sizes[0]:-}" = adopt ]; then ADOPT_N="${sizes[1]:-1000}"; sizes=(); BENCH_FLEET=0; fi
TRAFFIC_N=""
if [ "${sizes[0]:-}" = traffic ]; then TRAFFIC_N="${sizes[1]:-200}"; sizes=(); BENCH_FLEET=0; fi
PARALLEL="${BENCH_PARALLEL:-4}"
FLEET="${BENCH_FLEET:-10000}"
LEDGER_ROWS="${BENCH_LEDGER_ROWS:-500000}"
LOG="${BENCH_LOG_LEVEL:-WARN}"
WARMUP="${BENCH_WARMUP:-200}"
export DB_HOST="${DB_HOST:-127.0.0.1}" DB_PORT="${DB_PORT:-5432}" DB_USER="${DB_USER:-postgres}" DB_PASSWORD="${DB_PASSWORD:-}"
# psql reads the same server from libpq's variables.
export PGHOST="$DB_HOST" PGPORT="$DB_PORT" PGUSER="$DB_USER" PGPASSWORD="$DB_PASSWORD" PGCONNECT_TIMEOUT=5
DB="${BENCH_DB:-flotilla_bench}"
JAR="${BENCH_JAR:-target/quarkus-app/quarkus-run.jar}"
FLEET_VERSIONS="${BENCH_FLEET_VERSIONS:-10}"
NOOP_RUNS="${BENCH_NOOP_RUNS:-7}"
WORK="$bench_dir/.work"
PY="python3 $bench_dir/bench.py"

log() { printf '\n== %s\n' "$*" >&2; }

# One run at a time: two runs would share the database, bench/.work and the 2 cores, and drop each other's data.
exec 9>"$bench_dir/.lock"
if ! flock -n 9; then log "another bench run from this checkout holds bench/.lock; waiting for it"; flock 9; fi
rm -rf "$WORK" && mkdir -p "$WORK"
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
# The service runs with the image's JVM options (docker/Dockerfile.jvm), as deployed; BENCH_IMAGE_JAVA_OPTS=0 runs
# it with the JVM's defaults instead.
IMAGE_JAVA_OPTS=""
if [ "${BENCH_IMAGE_JAVA_OPTS:-1}" != 0 ]; then
  IMAGE_JAVA_OPTS=$(sed -n 's/^ *JAVA_OPTS="\([^"]*\)".*/\1/p' docker/Dockerfile.jvm)
  [ -n "$IMAGE_JAVA_OPTS" ] || die "no JAVA_OPTS=\"...\" line in docker/Dockerfile.jvm"
fi
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" "$@"; }   # one value per line, no decoration
j() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }  # j FILE 'd["x"]'

# The catalog size comes from the files, so a new migration doesn't need a script change.
migrations=(migrations/[0-9]*_*.sql)
M=${#migrations[@]}
[ -e "${migrations[0]}" ] || die "no migrations/[0-9]*_*.sql"

# --- service lifecycle -----------------------------------------------------------------------------------------
SVC_PID=""
stop_service() {
  [ -n "$SVC_PID" ] || return 0
  kill "$SVC_PID" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$SVC_PID" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$SVC_PID" 2>/dev/null || true
  wait "$SVC_PID" 2>/dev/null || true
  SVC_PID=""
}
cleanup() {
  stop_service
  if [ "${BENCH_KEEP:-0}" != 1 ]; then
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 18080 unless something already listens there; then any free port.
PORT=18080
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
fi
URL="http://127.0.0.1:$PORT"

# Transactions committed in the bench database so far (pg_stat_database; backends report at exit or when idle).
commits() { psql -X -At -d postgres -c "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '$DB'"; }
# 1-minute load average: other work on the machine (builds, tests) skews every figure, so it is shown.
load1() { cut -d' ' -f1 /proc/loadavg; }

# schemas PREFIX N [COMPANY_NAME_PREFIX]: empty schemas PREFIX1..PREFIXN, and a company for each when named.
schemas() {
  # created_at one millisecond apart: a rollout takes companies in that order, so ${1}1 comes first (the traffic
  # bench's blocked tenants are the first in line: the worst case), not in the order of their random ids.
  [ -z "${3:-}" ] || q -c "INSERT INTO public.companies (company_name, schema_name, created_at)
                           SELECT '$3' || g, '$1' || g, now() + g * interval '1 millisecond' FROM generate_series(1, $2) g"
  q -c "DO \$\$ BEGIN FOR g IN 1..$2 LOOP EXECUTE format('CREATE SCHEMA %I', '$1' || g); END LOOP; END \$\$"
}

rels() { q -c "SELECT string_agg(relname || ':' || relkind::text, ',' ORDER BY relname) FROM pg_class WHERE relnamespace = '$1'::regnamespace"; }

fresh_db() {
  PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
}

start_service() {  # $1: a tag for the log file
  local logf="$WORK/service-$1.log"
  DB_NAME=$DB PORT=$PORT MIGRATIONS_DIR="${SVC_MIGRATIONS:-$repo/migrations}" DB_POOL_MAX=${DB_POOL_MAX_OVERRIDE:-$((PARALLEL + 4))} \
    FLOTILLA_ROLLOUT_POLL_INTERVAL=200ms LOG_LEVEL="$LOG" \
    java $IMAGE_JAVA_OPTS ${BENCH_JAVA_OPTS:-} -jar "$JAR" >"$logf" 2>&1 &
  SVC_PID=$!
  for _ in $(seq 600); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/q/health/ready")" = 200 ]; then return 0; fi
    kill -0 "$SVC_PID" 2>/dev/null || { tail -40 "$logf" >&2; die "service exited during start-up ($logf)"; }
    sleep 0.1
  done
  tail -40 "$logf" >&2
  die "service not ready after 60 s ($logf)"
}

# A run from another checkout on the same server would use the same database: wait until nobody is connected.
for _ in $(seq 120); do
  [ "$(psql -X -At -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE datname = '$DB'")" = 0 ] && break
  log "$DB has open sessions (another bench run?); waiting"
  sleep 5
done

# --- build -------------------------------------------------------------------------------------------------------
if [ ! -f "$JAR" ]; then
  log "building ($JAR missing)"
  mvn -q -B -DskipTests package
fi

# The API takes signed bearer tokens (JWT, RS256): a throwaway key pair for the bench, and an operator token
# (POST /rollouts needs operator). Only when the jar has the token command: an older jar would start the service.
if python3 -c 'import sys, zipfile; sys.exit("io/flotilla/security/TokenCommand.class" not in zipfile.ZipFile(sys.argv[1]).namelist())' \
    target/quarkus-app/app/*.jar 2>/dev/null; then
  mkdir -p "$WORK/keys"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/keys/jwt-private.pem" 2>/dev/null
  openssl pkey -in "$WORK/keys/jwt-private.pem" -pubout -out "$WORK/keys/jwt-public.pem"
  export MP_JWT_VERIFY_PUBLICKEY_LOCATION="$WORK/keys/jwt-public.pem" SMALLRYE_JWT_SIGN_KEY_LOCATION="$WORK/keys/jwt-private.pem"
  BENCH_TOKEN=$(java -jar "$JAR" token --role operator --subject bench --ttl 12h 2>"$WORK/token.err" | tail -1)
  [ -n "$BENCH_TOKEN" ] || die "could not mint a token: $(cat "$WORK/token.err")"
  export BENCH_TOKEN
fi

pg_version=$(psql -X -At -d postgres -c 'SHOW server_version' | cut -d' ' -f1)
log "PostgreSQL $pg_version on $DB_HOST:$DB_PORT, $(nproc) cores, BENCH_PARALLEL=$PARALLEL, BENCH_WARMUP=$WARMUP, $M migrations, port $PORT, JVM options: ${IMAGE_JAVA_OPTS:-defaults} ${BENCH_JAVA_OPTS:-}"

# --- rollout vs psql floor, per N -----------------------------------------------------------------------------
rows=()   # summary lines: N flotilla_s floor_s ratio per_schema_ms rss_mb load_before
for N in ${sizes[@]+"${sizes[@]}"}; do
  log "N=$N: fresh database, service, $N empty tenant schemas"
  fresh_db
  start_service "n$N"
  if [ "$WARMUP" -gt 0 ]; then
    # A control plane runs for weeks: the timed rollout should meet a service that has rolled out before, not a
    # JVM still compiling its first requests. W other companies get one rollout, then leave the active fleet.
    log "N=$N: warm-up rollout to $WARMUP other schemas"
    schemas w_ "$WARMUP" 'Warm-up '
    $PY rollout --url "$URL" --pid "$SVC_PID" --parallel "$PARALLEL" >"$WORK/warmup-$N.json"
    [ "$(j "$WORK/warmup-$N.json" 'd["state"]')" = succeeded ] || { cat "$WORK/warmup-$N.json" >&2; die "warm-up rollout failed"; }
    q -c "UPDATE public.companies SET status = 'inactive' WHERE schema_name LIKE 'w\_%'"
  fi
  # Companies and schemas straight in SQL: the bench measures the rollout, not onboarding.
  schemas b_ "$N" 'Bench '
  q -c "VACUUM ANALYZE public.companies"

  log "N=$N: Flotilla rollout, maxParallel=$PARALLEL (load $(load1))"
  out="$WORK/rollout-$N.json"
  load_before=$(load1)
  tx0=$(commits)
  $PY rollout --url "$URL" --pid "$SVC_PID" --parallel "$PARALLEL" >"$out"
  state=$(j "$out" 'd["state"]')
  [ "$state" = succeeded ] || { cat "$out" >&2; tail -40 "$WORK/service-n$N.log" >&2; die "rollout ended $state"; }
  applied=$(q -c "SELECT count(*) FROM public.migration_ledger WHERE status = 'applied' AND schema_name LIKE 'b\_%'")
  [ "$applied" -eq $((N * M)) ] || die "ledger has $applied applied steps, expected $((N * M))"
  # Where the time went, from the service's own records: POST latency, wait before a worker took it, run time;
  # per schema, from the ledger: first step's start to last step's end, against the sum of the step durations
  # (rollout_targets times are written in batches with the owner's heartbeat, so they are not per-schema times).
  breakdown=$(q -F ' ' <<SQL
SELECT round(extract(epoch FROM r.started_at - r.created_at) * 1000),
       round(extract(epoch FROM r.finished_at - r.started_at) * 1000),
       (SELECT round(avg(span), 1) FROM (SELECT extract(epoch FROM max(finished_at) - min(started_at)) * 1000 AS span
         FROM public.migration_ledger WHERE run_id = r.id GROUP BY company_id) x),
       (SELECT round(avg(d), 1) FROM (SELECT sum(duration_ms) d FROM public.migration_ledger WHERE run_id = r.id
         GROUP BY company_id) x)
FROM public.rollouts r WHERE r.id = '$(j "$out" 'd["id"]')'
SQL
)
  read -r queue_ms run_ms span_ms steps_ms <<<"$breakdown"
  per_version=$(q -F '=' -c "SELECT version, round(avg(duration_ms), 1) FROM public.migration_ledger WHERE run_id = '$(j "$out" 'd["id"]')' GROUP BY version_key, version ORDER BY version_key" | paste -sd ' ')
  stop_service   # the floor runs without the JVM on the machine; closing its connections flushes their stats
  sleep 0.5
  tx_flotilla=$(( $(commits) - tx0 ))

  log "N=$N: psql floor, $PARALLEL sessions"
  schemas f_ "$N"
  $PY floor-gen --migrations "$repo/migrations" --n "$N" --parallel "$PARALLEL" --prefix f_ --out "$WORK/floor-$N" >"$WORK/floor-gen-$N.json"
  mapfile -t files < <(j "$WORK/floor-gen-$N.json" '"\n".join(d["files"])')
  log "N=$N: floor clock starts (load $(load1))"
  tx1=$(commits)
  $PY floor-run --db "$DB" "${files[@]}" >"$WORK/floor-$N.json"
  sleep 0.5
  tx_floor=$(( $(commits) - tx1 ))
  # The floor must have built what Flotilla built: same relations (tables, views, indexes) in f_1 as in b_1,
  # the same count over all schemas, and no invalid index left by CREATE INDEX CONCURRENTLY.
  # (assigned first: a failing query inside [ ] would not stop the script)
  rels_b=$(rels b_1); rels_f=$(rels f_1)
  [ -n "$rels_b" ] && [ "$rels_b" = "$rels_f" ] || die "f_1 differs from b_1: '$rels_f' vs '$rels_b'"
  counts=$(q -F ' ' -c "SELECT count(*) FILTER (WHERE n.nspname LIKE 'b\_%'), count(*) FILTER (WHERE n.nspname LIKE 'f\_%'),
                               count(*) FILTER (WHERE i.indisvalid = false)
                        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_index i ON i.indexrelid = c.oid")
  read -r b_rels f_rels invalid <<<"$counts"
  [ "$b_rels" = "$f_rels" ] && [ "$invalid" = 0 ] || die "relations b_*=$b_rels f_*=$f_rels, invalid indexes=$invalid"

  fl=$(j "$out" 'd["seconds"]'); fs=$(j "$WORK/floor-$N.json" 'd["seconds"]')
  line=$(python3 - "$N" "$fl" "$fs" "$(j "$out" 'd["max_rss_kb"]')" "$PARALLEL" <<'PY'
import sys
n, fl, fs, rss, p = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
print(f"{n} {fl:.2f} {fs:.2f} {fl / fs:.2f} {fl * 1000 / n:.1f} {rss / 1024:.0f} {fs * 1000 / n:.1f} {fs * 1000 * p / n:.1f}")
PY
)
  read -r _ fl2 fs2 ratio per_ms rss_mb floor_per_ms floor_session_ms <<<"$line"
  rows+=("$N $fl2 $fs2 $ratio $per_ms $rss_mb $load_before")
  printf '\nN=%s  Flotilla %s s  psql floor %s s  ratio %s  Flotilla per schema %s ms  max RSS %s MB\n' \
    "$N" "$fl2" "$fs2" "$ratio" "$per_ms" "$rss_mb"
  printf '  floor per schema %s ms (%s ms per schema inside one psql session), machine CPU busy %.0f%%\n' \
    "$floor_per_ms" "$floor_session_ms" "$(j "$WORK/floor-$N.json" 'd["machine_busy_percent"]')"
  printf '  Flotilla: POST %.0f ms, created->started %s ms, started->finished %s ms, %s GET polls, idle RSS %s MB\n' \
    "$(j "$out" 'd["post_seconds"] * 1000')" "$queue_ms" "$run_ms" "$(j "$out" 'd["polls"]')" "$(j "$out" 'd["idle_rss_kb"] // 1024')"
  printf '  Flotilla CPU: service process %.1f s of CPU over the run, machine CPU busy %.0f%%\n' \
    "$(j "$out" 'd["service_cpu_seconds"]')" "$(j "$out" 'd["machine_busy_percent"]')"
  printf '  service CPU s by thread (of which kernel): %s\n' \
    "$(j "$out" '", ".join(f"{k} {t:.1f} ({s:.1f})" for k, t, s in d["service_cpu_by_thread"][:5])')"
  printf '  Flotilla per schema: %s ms from first step start to last step end, %s ms inside the steps (ledger)\n' \
    "$span_ms" "$steps_ms"
  printf '  mean step ms by version: %s\n' "$per_version"
  printf '  transactions in %s: Flotilla %s (%s per schema, incl. %s GET polls), floor %s (%s per schema); load before: %s\n' \
    "$DB" "$tx_flotilla" "$((tx_flotilla / N))" "$(j "$out" 'd["polls"]')" "$tx_floor" "$((tx_floor / N))" "$load_before"
done

# --- one rollout over 1, 2 and 3 servers ---------------------------------------------------------------------------
# N companies spread evenly over home and up to two more PostgreSQL servers: clusters of this machine's PostgreSQL
# on ports BENCH_SERVER_PORT (5441) and the next, made with Debian's pg_createcluster (left stopped afterwards;
# BENCH_KEEP=1 keeps them running). maxParallelPerServer = BENCH_PARALLEL, maxParallel = BENCH_PARALLEL x servers.
server_rows=()
if [ -n "$SERVERS_N" ]; then
  command -v pg_createcluster >/dev/null || die "servers: pg_createcluster (postgresql-common) is needed to make the other servers"
  pg_major=$(psql -X -At -d postgres -c 'SHOW server_version_num' | cut -c1-2)
  base_port="${BENCH_SERVER_PORT:-5441}"
  export BENCH_SERVER_PASSWORD="bench-$(openssl rand -hex 8)"   # read by the service (passwordFrom env)
  TDB=flotilla_bench_tenants
  sq() { PGOPTIONS="-c client_min_messages=warning" PGPASSWORD="$BENCH_SERVER_PASSWORD" psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres "${@:2}"; }
  for s in 1 2; do
    cluster="flotilla_bench$s"; port=$((base_port + s - 1))
    pg_lsclusters -h | awk '{print $2}' | grep -qx "$cluster" || pg_createcluster -q "$pg_major" "$cluster" -p "$port" >/dev/null 9>&-
    # fd 9 (the bench lock) closed: a server started here must not hold it after this run ends.
    pg_ctlcluster "$pg_major" "$cluster" start 2>/dev/null 9>&- || true
    runuser -u postgres -- env -u PGHOST -u PGUSER -u PGPASSWORD -u PGPORT psql -X -q -h /var/run/postgresql -p "$port" -c "ALTER USER postgres PASSWORD '$BENCH_SERVER_PASSWORD'" >/dev/null
  done
  stop_clusters() { [ "${BENCH_KEEP:-0}" = 1 ] || for s in 1 2; do pg_ctlcluster "$pg_major" "flotilla_bench$s" stop 2>/dev/null || true; done; }
  trap 'stop_clusters; cleanup' EXIT
  ADMIN_TOKEN=$(java -jar "$JAR" token --role admin --subject bench --ttl 12h 2>/dev/null | tail -1)
  N=$SERVERS_N
  for k in 1 2 3; do
    log "servers: N=$N over $k server(s) (load $(load1))"
    fresh_db
    for s in $(seq 1 $((k - 1))); do
      sq $((base_port + s - 1)) -d postgres -c "DROP DATABASE IF EXISTS $TDB WITH (FORCE)" -c "CREATE DATABASE $TDB"
    done
    DB_POOL_MAX_OVERRIDE=$((PARALLEL * k + 4)) start_service "servers$k"
    for s in $(seq 1 $((k - 1))); do
      curl -sf -o /dev/null -X POST "$URL/api/v1/servers" -H "Authorization: Bearer $ADMIN_TOKEN"         -H 'Content-Type: application/json' -d "{\"name\": \"pg$s\", \"host\": \"127.0.0.1\", \"port\": $((base_port + s - 1)),
          \"database\": \"$TDB\", \"user\": \"postgres\", \"tlsMode\": \"disable\",
          \"passwordFrom\": {\"env\": \"BENCH_SERVER_PASSWORD\"}, \"connectionBudget\": $((PARALLEL + 2))}"         || die "could not register server pg$s"
    done
    # Companies straight in SQL, as for the rollout above: every k-th on the same server, schemas made there.
    for s in $(seq 0 $((k - 1))); do
      n_s=$(( (N - s + k - 1) / k ))
      if [ "$s" = 0 ]; then
        schemas b_ "$n_s" 'Bench '
      else
        q -c "INSERT INTO public.companies (company_name, schema_name, server)
              SELECT 'Bench pg$s-' || g, 'b_pg${s}_' || g, 'pg$s' FROM generate_series(1, $n_s) g"
        sq $((base_port + s - 1)) -d "$TDB" -c "DO \$\$ BEGIN FOR g IN 1..$n_s LOOP EXECUTE format('CREATE SCHEMA %I', 'b_pg${s}_' || g); END LOOP; END \$\$"
      fi
    done
    q -c "VACUUM ANALYZE public.companies"
    declare -A tx_before=()
    for s in $(seq 1 $((k - 1))); do
      tx_before[$s]=$(sq $((base_port + s - 1)) -d postgres -c "SELECT xact_commit FROM pg_stat_database WHERE datname = '$TDB'")
    done
    load_before=$(load1)
    out="$WORK/servers-$k.json"
    $PY rollout --url "$URL" --pid "$SVC_PID" --parallel $((PARALLEL * k)) --per-server "$PARALLEL" >"$out"
    [ "$(j "$out" 'd["state"]')" = succeeded ] || { cat "$out" >&2; tail -40 "$WORK/service-servers$k.log" >&2; die "servers: rollout over $k ended $(j "$out" 'd["state"]')"; }
    stop_service
    # Exactly what was asked: every step once in the home ledger, and each server's own ledger agrees.
    applied=$(q -c "SELECT count(*) FROM public.migration_ledger WHERE status = 'applied' AND schema_name LIKE 'b\_%'")
    [ "$applied" -eq $((N * M)) ] || die "servers: home ledger has $applied applied steps, expected $((N * M))"
    per_server="home $(q -c "SELECT count(*) FROM public.migration_ledger WHERE status = 'applied' AND server = 'home' AND schema_name LIKE 'b\_%'") steps"
    for s in $(seq 1 $((k - 1))); do
      p=$((base_port + s - 1))
      there=$(sq "$p" -d "$TDB" -c "SELECT count(*) FROM public.migration_ledger WHERE status = 'applied'")
      here=$(q -c "SELECT count(*) FROM public.migration_ledger WHERE status = 'applied' AND server = 'pg$s'")
      [ "$there" = "$here" ] || die "servers: pg$s has $there applied steps in its ledger, home has $here copies"
      commits_s=$(( $(sq "$p" -d postgres -c "SELECT xact_commit FROM pg_stat_database WHERE datname = '$TDB'") - tx_before[$s] ))
      per_server="$per_server, pg$s $there steps / $commits_s commits"
    done
    secs=$(j "$out" '"%.2f" % d["seconds"]')
    rate=$(python3 -c "import sys; print('%.0f' % (int(sys.argv[1]) / float(sys.argv[2])))" "$N" "$secs")
    steps_rate=$(python3 -c "import sys; print('%.0f' % (int(sys.argv[1]) / float(sys.argv[2])))" "$((N * M))" "$secs")
    printf '\nN=%s over %s server(s): %s s, %s companies/s, %s steps/s; %s; max RSS %s MB; load before %s\n' \
      "$N" "$k" "$secs" "$rate" "$steps_rate" "$per_server" "$(j "$out" 'd["max_rss_kb"] // 1024')" "$load_before"
    server_rows+=("| $N | $k | $secs | $rate | $steps_rate | $per_server | $load_before |")
  done
fi

# --- fleet adoption ------------------------------------------------------------------------------------------------
# ADOPT_N schemas a_1..a_N that Flyway migrated, as far as PostgreSQL can tell: the catalog copied in Flyway's layout
# (V<n>__name.sql) is the service's catalog, every migration applied by psql (BENCH_PARALLEL sessions, untimed) and
# flyway_schema_history created with Flyway's DDL and rows (CRC32 checksums as Flyway computes them). Then, timed:
# GET /servers/home/discover, POST /companies/adopt {"all": true, "dryRun": true}, and the real adoption as a job,
# polled to its end. Checked: every schema adopted, N x M adopted steps, no step applied, the history tables untouched.
adopt_line=""
if [ -n "$ADOPT_N" ]; then
  N=$ADOPT_N
  fresh_db
  gen=$($PY adopt-gen --migrations migrations --catalog-out "$WORK/adopt-catalog" --n "$N" --parallel "$PARALLEL" --out "$WORK")
  log "adopt: building $N schemas as Flyway leaves them ($(j <(echo "$gen") 'd["migrations"]') migrations each)"
  # The service's own tables first (its Flyway creates public's), so that the schemas' extensions find public.
  SVC_MIGRATIONS="$WORK/adopt-catalog" start_service adopt
  stop_service
  # shellcheck disable=SC2046
  $PY floor-run --db "$DB" $(j <(echo "$gen") '" ".join(d["files"])') >"$WORK/adopt-build.json" \
    || die "adopt: building the schemas failed (see $WORK/adopt_1.sql.log)"
  history_before=$(q -c "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM a_1.flyway_schema_history t")
  q -c "VACUUM ANALYZE"
  SVC_MIGRATIONS="$WORK/adopt-catalog" start_service adopt
  ADMIN_TOKEN=$(java -jar "$JAR" token --role admin --subject bench --ttl 12h 2>/dev/null | tail -1)
  load_before=$(load1)
  log "adopt: discover, dry run, adopt $N schemas, maxParallel=$PARALLEL (load $load_before)"
  BENCH_TOKEN="$ADMIN_TOKEN" $PY adopt --url "$URL" --parallel "$PARALLEL" >"$WORK/adopt.json" \
    || { tail -40 "$WORK/service-adopt.log" >&2; die "adopt failed"; }
  stop_service
  adopted=$(j "$WORK/adopt.json" 'd["job"]["adopted"]')
  [ "$adopted" = "$N" ] || { cat "$WORK/adopt.json" >&2; die "adopt: $adopted of $N schemas adopted"; }
  steps=$(q -c "SELECT count(*) FROM public.migration_ledger WHERE status = 'adopted' AND schema_name LIKE 'a\_%'")
  [ "$steps" -eq $((N * M)) ] || die "adopt: ledger has $steps adopted steps, expected $((N * M))"
  ran=$(q -c "SELECT count(*) FROM public.migration_ledger WHERE status <> 'adopted' AND schema_name LIKE 'a\_%'")
  [ "$ran" = 0 ] || die "adopt: $ran ledger steps other than adopted: migration SQL ran"
  [ "$(q -c "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM a_1.flyway_schema_history t")" = "$history_before" ] \
    || die "adopt: a_1.flyway_schema_history changed"
  d_s=$(j "$WORK/adopt.json" '"%.2f" % d["discover_seconds"]'); r_s=$(j "$WORK/adopt.json" '"%.2f" % d["dry_run_seconds"]')
  a_s=$(j "$WORK/adopt.json" '"%.2f" % d["adopt_seconds"]'); t_s=$(j "$WORK/adopt.json" '"%.2f" % d["total_seconds"]')
  builds=$(j "$WORK/adopt.json" 'd["job"]["scratchBuilds"]')
  verdict=$(python3 -c "import sys; print('meets' if float(sys.argv[1]) < 30 else 'MISSES')" "$t_s")
  printf '\nadopt N=%s (%s migrations each): discover %s s, dry run %s s, adopt %s s, total %s s (target < 30 s: %s); %s scratch builds; %s adopted steps, none applied; load before %s\n' \
    "$N" "$M" "$d_s" "$r_s" "$a_s" "$t_s" "$verdict" "$builds" "$steps" "$load_before"
  adopt_line="| $N | $M | $d_s | $r_s | $a_s | $t_s ($verdict < 30 s) | $builds | $steps | $load_before |"
fi

# --- live traffic while a rollout alters the table it uses -----------------------------------------------------------
# TRAFFIC_N tenants onboarded with the catalog, each with BENCH_CLIENTS (2) application clients (a read and an insert
# on messages, 50-150 ms apart; bench/Traffic.java); the catalog then gets one more migration that adds a column and
# an index to messages, and a rollout takes it through the fleet while BENCH_BLOCKED tenants have a session holding a
# read transaction on messages until BENCH_HOLD seconds after the rollout was accepted. Twice: Flotilla's defaults (lock timeouts with retries), and
# one attempt with no lock timeout (strategy.lockTimeouts = [], how Flyway runs a file).
traffic_rows=()
if [ -n "$TRAFFIC_N" ]; then
  N=$TRAFFIC_N; BLOCKED="${BENCH_BLOCKED:-20}"; HOLD="${BENCH_HOLD:-20}"; CLIENTS="${BENCH_CLIENTS:-2}"
  TPOOL="${BENCH_TRAFFIC_POOL:-60}"
  pgjar=$(ls target/quarkus-app/lib/main/org.postgresql.postgresql-*.jar | head -1)
  catalog="$WORK/traffic-catalog"
  for mode in ${BENCH_TRAFFIC_MODES:-unblocked retries wait single}; do
    # retries: the defaults (attempts 100 ms .. 2 s within a 30 s budget; between attempts the step lends its worker
    # slot to another company, as many as the pool has room for (a pool of 2 x BENCH_PARALLEL + 2 keeps the bench's
    # clients, blockers and the service within max_connections 100), and past that steps aside: released, queued
    # behind the companies waiting to start, carrying on with its attempts and budget when it comes back);
    # wait: a 3 s budget, then the company waits (onLockTimeout wait) and is tried again after the others;
    # single: one attempt with no lock_timeout, as Flyway runs a file.
    # unblocked: the defaults with no blocker at all, the full speed the free tenants are measured against;
    case "$mode" in
      unblocked) strategy='{"maxParallel": '"$PARALLEL"'}' ;;
      retries) strategy='{"maxParallel": '"$PARALLEL"'}' ;;
      wait) strategy='{"maxParallel": '"$PARALLEL"', "onLockTimeout": "wait", "lockBudget": "3s"}' ;;
      single) strategy='{"maxParallel": '"$PARALLEL"', "lockTimeouts": []}' ;;
    esac
    log "traffic ($mode): $N tenants onboarded with the catalog (load $(load1))"
    rm -rf "$catalog" && mkdir -p "$catalog" && cp migrations/*.sql "$catalog"/
    fresh_db
    SVC_MIGRATIONS="$catalog" start_service "traffic-$mode-onboard"
    schemas t_ "$N" 'Traffic '
    $PY rollout --url "$URL" --pid "$SVC_PID" --parallel "$PARALLEL" >"$WORK/traffic-$mode-onboard.json"
    [ "$(j "$WORK/traffic-$mode-onboard.json" 'd["state"]')" = succeeded ] || die "traffic: onboarding rollout failed"
    # A conversation and a few messages per tenant, for the application's reads and inserts to work on.
    q -c "DO \$\$ DECLARE s text; c uuid; t uuid; BEGIN
            FOR s IN SELECT schema_name FROM public.companies WHERE schema_name LIKE 't\_%' LOOP
              t := gen_random_uuid();
              EXECUTE format('INSERT INTO %I.conversations (tenant_id, title) VALUES (\$1, ''bench'') RETURNING id', s) INTO c USING t;
              EXECUTE format('INSERT INTO %I.messages (conversation_id, tenant_id, role, content)
                              SELECT \$1, \$2, ''user'', ''m'' || g FROM generate_series(1, 20) g', s) USING c, t;
            END LOOP; END \$\$"
    stop_service
    next=$(printf '%03d' $(( $(ls "$catalog"/[0-9]*_*.sql | wc -l) + 1 )))
    printf -- '-- bench: what a feature release does to a busy table\nALTER TABLE messages ADD COLUMN edited_at timestamptz;\nCREATE INDEX messages_edited_at_idx ON messages (edited_at);\n' \
      >"$catalog/${next}_messages_edited_at.sql"
    printf -- 'DROP INDEX messages_edited_at_idx;\nALTER TABLE messages DROP COLUMN edited_at;\n' >"$catalog/rollback_${next}_messages_edited_at.sql"
    DB_POOL_MAX_OVERRIDE=$((2 * PARALLEL + 2)) SVC_MIGRATIONS="$catalog" start_service "traffic-$mode"
    blocked_now="$BLOCKED"; [ "$mode" != unblocked ] || blocked_now=0
    log "traffic ($mode): $N tenants x $CLIENTS clients, $blocked_now blocked for $HOLD s, rollout of $next (load $(load1))"
    load_before=$(load1)
    java -cp "$pgjar" "$bench_dir/Traffic.java" "jdbc:postgresql://$DB_HOST:$DB_PORT/$DB" "$DB_USER" "$DB_PASSWORD" \
      "$URL" "$BENCH_TOKEN" t_ "$N" "$blocked_now" "$HOLD" "$CLIENTS" "$TPOOL" "$strategy" >"$WORK/traffic-$mode.json" \
      || { tail -40 "$WORK/service-traffic-$mode.log" >&2; die "traffic ($mode) failed"; }
    stop_service
    # Exactly once: each tenant has the new version applied once, the column and the index once.
    once=$(q -c "SELECT count(*) FROM public.migration_ledger WHERE status = 'applied' AND version = '$((10#$next))' AND schema_name LIKE 't\_%'")
    cols=$(q -c "SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE n.nspname LIKE 't\_%' AND c.relname = 'messages' AND a.attname = 'edited_at' AND NOT a.attisdropped")
    attempts=$(q -c "SELECT coalesce(max(lock_attempts), 1) || ' max, ' || count(*) FILTER (WHERE lock_attempts > 1) || ' steps retried'
                     FROM public.migration_ledger WHERE version = '$((10#$next))' AND status = 'applied'" 2>/dev/null || echo "n/a")
    # When the free tenants were done, and when the blocked ones, counted from the rollout's start (ledger times).
    blocked_list="''"; [ "$blocked_now" = 0 ] || blocked_list=$(seq -s, -f "'t_%g'" 1 "$blocked_now")
    finish=$(q -F ' ' -c "SELECT round(extract(epoch FROM max(l.finished_at) FILTER (WHERE l.schema_name NOT IN ($blocked_list)) - r.started_at)::numeric, 1),
                                 round(extract(epoch FROM max(l.finished_at) FILTER (WHERE l.schema_name IN ($blocked_list)) - r.started_at)::numeric, 1)
                          FROM public.migration_ledger l JOIN public.rollouts r ON r.id = l.run_id
                          WHERE l.version = '$((10#$next))' AND l.status = 'applied' GROUP BY r.started_at")
    read -r free_done blocked_done <<<"$finish"
    f="$WORK/traffic-$mode.json"
    line=$(j "$f" '"| %s | %s | %s s | %s / %s / %s ms | %s / %s / %s ms | %s ms | %s ms |" % ("'"$mode"'", d["state"], d["rollout_seconds"], d["free_tenants"]["p50_ms"], d["free_tenants"]["p99_ms"], d["free_tenants"]["max_ms"], d["blocked_tenants"]["p50_ms"], d["blocked_tenants"]["p99_ms"], d["blocked_tenants"]["max_ms"], d["worst_free_tenant_max_ms"], d["worst_blocked_tenant_max_ms"])')
    traffic_rows+=("${line} $free_done s / $blocked_done s | $once / $N applied, $cols columns | $attempts | $(j "$f" 'd["queries"]') ($(j "$f" 'd["query_failures"]') failed) | $load_before |")
    printf '\ntraffic (%s): %s\n' "$mode" "$(cat "$f")"
    [ "$once" = "$N" ] && [ "$cols" = "$N" ] || die "traffic ($mode): $once applied steps and $cols columns for $N tenants"
  done
fi

# --- fleet view ----------------------------------------------------------------------------------------------------
fleet_line=""
if [ "$FLEET" -gt 0 ]; then
  # The fleet has BENCH_FLEET_VERSIONS (10) versions: when migrations/ has fewer, the service runs on a bench-only
  # copy of it padded with one-line migrations (never run: the fleet is seeded), so the views and the planner read
  # companies x 10 state rows through the real code, against a real catalog of 10.
  SVC_MIGRATIONS="$repo/migrations"
  if [ "$M" -lt "$FLEET_VERSIONS" ]; then
    SVC_MIGRATIONS="$WORK/fleet-catalog"
    cp -r "$repo/migrations" "$SVC_MIGRATIONS"
    for v in $(seq $((M + 1)) "$FLEET_VERSIONS"); do
      printf -- '-- Bench only: pads the catalog to %s versions.\nCREATE TABLE bench_pad_%s (id integer PRIMARY KEY);\n' \
        "$FLEET_VERSIONS" "$v" >"$SVC_MIGRATIONS/$(printf '%03d' "$v")_bench_pad_$v.sql"
    done
  fi
  log "fleet view: $FLEET companies, ~$LEDGER_ROWS ledger rows, catalog $SVC_MIGRATIONS"
  fresh_db
  start_service fleet
  $PY catalog --url "$URL" >"$WORK/catalog.json"
  cat_vars=(-v versions="$(j "$WORK/catalog.json" 'd["versions"]')" -v checksums="$(j "$WORK/catalog.json" 'd["checksums"]')"
            -v names="$(j "$WORK/catalog.json" 'd["names"]')" -v scripts="$(j "$WORK/catalog.json" 'd["scripts"]')"
            -v transactional="$(j "$WORK/catalog.json" 'd["transactional"]')")
  expected=$(q -v fleet="$FLEET" -v ledger_rows="$LEDGER_ROWS" "${cat_vars[@]}" -f "$bench_dir/fleet_seed.sql" | grep '^{')
  echo "$expected" >"$WORK/fleet-expected.json"
  fleet_load=$(load1)
  $PY http-time --url "$URL/api/v1/fleet" >"$WORK/fleet.json"
  $PY http-time --url "$URL/api/v1/drift?limit=100" >"$WORK/drift.json"
  # A fast wrong answer is no result: the counts must match the seed's rules.
  check=$(python3 - "$WORK/fleet-expected.json" "$WORK/fleet.json" "$WORK/drift.json" <<'PY'
import json, sys
exp, got, drift = (json.load(open(p)) for p in sys.argv[1:])
body = got["body"]
bad = [f"{k}: got {body.get(k)}, expected {exp[k]}" for k in ("companies", "upToDate", "pending", "failed", "drifted")
       if body.get(k) != exp[k]]
want = min(100, exp["drifted"])
if drift["body"]["items"] != want:
    bad.append(f"drift items: got {drift['body']['items']}, expected {want}")
print("; ".join(bad) if bad else "ok")
PY
)
  # No-op rollout: every company brought up to date (ledger and state), then rollouts that find nothing to do,
  # timed from the POST to the first GET that sees succeeded, polled every 10 ms; 2 untimed ones first.
  log "no-op rollout: $FLEET companies up to date, $NOOP_RUNS timed rollouts (load $(load1))"
  uptodate=$(q "${cat_vars[@]}" -f "$bench_dir/fleet_uptodate.sql" | grep '^{')
  [ "$(j <(echo "$uptodate") 'd["notUpToDate"]')" = 0 ] || die "fleet not up to date after fleet_uptodate.sql: $uptodate"
  noop_load=$(load1)
  $PY noop --url "$URL" --parallel "$PARALLEL" --expect "$(j "$WORK/fleet-expected.json" 'd["companies"]')" \
      --runs "$NOOP_RUNS" >"$WORK/noop.json" || { tail -40 "$WORK/service-fleet.log" >&2; die "no-op rollout failed"; }
  stop_service
  fm=$(j "$WORK/fleet.json" '"%.1f" % d["median_ms"]'); fp=$(j "$WORK/fleet.json" '"%.1f" % d["p95_ms"]')
  dm=$(j "$WORK/drift.json" '"%.1f" % d["median_ms"]'); dp=$(j "$WORK/drift.json" '"%.1f" % d["p95_ms"]')
  verdict=$(python3 -c "import sys; print('meets' if float(sys.argv[1]) < 50 else 'MISSES')" "$fp")
  printf '\nfleet view (%s companies, %s ledger rows, %s state rows)\n' "$(j "$WORK/fleet-expected.json" 'd["companies"]')" \
    "$(j "$WORK/fleet-expected.json" 'd["ledgerRows"]')" "$(j "$WORK/fleet-expected.json" 'd["stateRows"]')"
  printf '  GET /api/v1/fleet           median %s ms  p95 %s ms  (target < 50 ms: %s; load before: %s)\n' "$fm" "$fp" "$verdict" "$fleet_load"
  printf '  GET /api/v1/drift?limit=100 median %s ms  p95 %s ms\n' "$dm" "$dp"
  printf '  answer: %s\n  check against the seed: %s\n' "$(j "$WORK/fleet.json" 'json.dumps(d["body"])')" "$check"
  fleet_summary="GET /api/v1/fleet median $fm ms, p95 $fp ms ($verdict < 50 ms); GET /api/v1/drift?limit=100 median $dm ms, p95 $dp ms"
  fleet_line="| $FLEET companies, $(j "$WORK/fleet-expected.json" 'd["ledgerRows"]') ledger rows | $fleet_summary | $check | $fleet_load |"
  nm=$(j "$WORK/noop.json" '"%.0f" % d["median_ms"]'); np=$(j "$WORK/noop.json" '"%.0f" % d["p95_ms"]')
  nverdict=$(python3 -c "import sys; print('meets' if float(sys.argv[1]) < 500 else 'MISSES')" "$np")
  printf '  no-op rollout (%s state rows, %s companies up to date), %s runs: median %s ms  p95 %s ms  (target < 500 ms: %s; load before: %s)\n' \
    "$(j <(echo "$uptodate") 'd["stateRows"]')" "$(j "$WORK/fleet-expected.json" 'd["companies"]')" "$NOOP_RUNS" "$nm" "$np" "$nverdict" "$noop_load"
  printf '    POST->succeeded ms: %s; POST alone median %.0f ms; GET polls every 10 ms: %s\n' \
    "$(j "$WORK/noop.json" 'd["times_ms"]')" "$(j "$WORK/noop.json" 'd["post_median_ms"]')" "$(j "$WORK/noop.json" 'd["polls"]')"
  fleet_summary="$fleet_summary; no-op rollout POST->succeeded median $nm ms, p95 $np ms ($nverdict < 500 ms, $NOOP_RUNS runs, 10 ms poll)"
  fleet_line="| $FLEET companies × $(j "$WORK/catalog.json" 'd["count"]') versions, $(j "$WORK/fleet-expected.json" 'd["ledgerRows"]') ledger rows | $fleet_summary | $check | $fleet_load |"
  [ "$check" = ok ] || die "fleet view answered wrong counts: $check"
fi

# --- summary -----------------------------------------------------------------------------------------------------
if [ ${#rows[@]} -gt 0 ]; then
  printf '\nSummary (BENCH_PARALLEL=%s, BENCH_WARMUP=%s, %s cores, PostgreSQL %s)\n' "$PARALLEL" "$WARMUP" "$(nproc)" "$pg_version"
  printf '%8s %12s %12s %8s %16s %12s %10s\n' N flotilla_s floor_s ratio ms_per_schema max_rss_mb load_before
  for r in "${rows[@]}"; do printf '%8s %12s %12s %8s %16s %12s %10s\n' $r; done
fi
[ -z "$fleet_line" ] || printf '\nFleet view (%s companies): %s\n' "$FLEET" "$fleet_summary"

{
  printf '\n## %s\n\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
  printf 'Machine: %s cores (%s), PostgreSQL %s, BENCH_PARALLEL=%s, BENCH_WARMUP=%s, JVM options: %s, commit %s%s, jar built %s.\n\n' "$(nproc)" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" "$pg_version" "$PARALLEL" "$WARMUP" \
    "$(echo "${IMAGE_JAVA_OPTS:-JVM defaults} ${BENCH_JAVA_OPTS:-}" | sed 's/ *$//')" \
    "$(git rev-parse --short HEAD 2>/dev/null || echo '?')" "$(git diff --quiet 2>/dev/null || echo ' (dirty tree)')" \
    "$(date -u -r "$JAR" '+%Y-%m-%d %H:%M UTC')${BENCH_JAR:+ (BENCH_JAR=$BENCH_JAR)}"
  if [ ${#rows[@]} -gt 0 ]; then
    echo '| N | Flotilla s | psql floor s | ratio | Flotilla ms/schema | max RSS MB | load before |'
    echo '|---:|---:|---:|---:|---:|---:|---:|'
    for r in "${rows[@]}"; do set -- $r; echo "| $1 | $2 | $3 | $4 | $5 | $6 | $7 |"; done
  fi
  if [ -n "$fleet_line" ]; then
    printf '\n| fleet view data | timing | counts | load before |\n|---|---|---|---:|\n%s\n' "$fleet_line"
  fi
  if [ ${#traffic_rows[@]} -gt 0 ]; then
    printf '\nLive traffic: %s tenants x %s clients, %s blocked by a read transaction held %s s, one rollout adding a column and an index (maxParallel %s):\n\n' \
      "$TRAFFIC_N" "$CLIENTS" "$BLOCKED" "$HOLD" "$PARALLEL"
    echo '| lock handling | rollout | duration | free tenants p50 / p99 / max | blocked tenants p50 / p99 / max | worst free tenant max | worst blocked tenant max | free / blocked tenants done after | exactly once | attempts | queries | load before |'
    echo '|---|---|---:|---:|---:|---:|---:|---:|---|---|---:|---:|'
    printf '%s\n' "${traffic_rows[@]}"
  fi
  if [ -n "$adopt_line" ]; then
    printf '\nFleet adoption (maxParallel %s): schemas Flyway migrated, discovered, dry-run and adopted through the API:\n\n' "$PARALLEL"
    echo '| N | migrations | discover s | dry run s | adopt s | total s | scratch builds | adopted steps | load before |'
    echo '|---:|---:|---:|---:|---:|---|---:|---:|---:|'
    echo "$adopt_line"
  fi
  if [ ${#server_rows[@]} -gt 0 ]; then
    printf '\nOne rollout spread over servers (maxParallelPerServer %s, maxParallel %s x servers):\n\n' "$PARALLEL" "$PARALLEL"
    echo '| N | servers | s | companies/s | steps/s | per server (steps in its ledger / commits there) | load before |'
    echo '|---:|---:|---:|---:|---:|---|---:|'
    printf '%s\n' "${server_rows[@]}"
  fi
} >>"$bench_dir/results.md"
log "results appended to bench/results.md; scratch in bench/.work/"
