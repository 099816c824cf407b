#!/usr/bin/env bash
# Measures vigie against its performance budgets (docs/performance.md), on this machine:
#   - in-process figures: `cargo bench --bench console` (frames, filter keystrokes);
#   - whole-process figures against `vigie serve --seed demo --seed-size N` on loopback:
#     loading every equipement (`--bench load`, then with 1 ms of latency a request),
#     start, idle CPU and resident size in a pty (`--bench process`), `vigie list` beside
#     curl + jq (hyperfine), and the reference server under a load generator (wrk, or oha).
# Installs what it needs when missing (apt-get as root, else cargo install). Bounded in time:
# every load run stops by itself, and the server it starts is stopped on exit.
#
# Usage: scripts/bench.sh [console] [load] [process] [list] [import] [server]   (default: all)
# Environment: SEED_SIZE (100000), PORT (18765), WRK_SECS (10), RESULTS (target/bench-results.txt)
set -euo pipefail

cd "$(dirname "$0")/.."
SEED_SIZE=${SEED_SIZE:-100000}
PORT=${PORT:-18765}
WRK_SECS=${WRK_SECS:-10}
RESULTS=${RESULTS:-target/bench-results.txt}
URL="http://127.0.0.1:${PORT}"
ADMIN=admin@vigie.local
PASSWORD=admin-demo
STEPS=("$@")
[ ${#STEPS[@]} -eq 0 ] && STEPS=(console load process list import server)
want() { [[ " ${STEPS[*]} " == *" $1 "* ]]; }

say() { printf '\n== %s\n' "$*" | tee -a "$RESULTS"; }
log() { tee -a "$RESULTS"; }

# ---- tools ----------------------------------------------------------------------------------
need_apt=()
for t in curl jq hyperfine wrk; do command -v "$t" >/dev/null || need_apt+=("$t"); done
command -v /usr/bin/time >/dev/null || need_apt+=(time)
if [ ${#need_apt[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
    elif command -v sudo >/dev/null && command -v apt-get >/dev/null; then
        sudo apt-get update -qq
        sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
    fi
fi
# Without apt: the load tools from crates.io.
command -v hyperfine >/dev/null || cargo install hyperfine --locked
if ! command -v wrk >/dev/null && ! command -v oha >/dev/null; then
    cargo install oha --locked
fi
for t in curl jq; do
    command -v "$t" >/dev/null || { echo "bench.sh: $t is needed" >&2; exit 1; }
done

mkdir -p "$(dirname "$RESULTS")"
: >"$RESULTS"
say "machine"
{
    echo "cores: $(nproc); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "memory: $(free -h | awk '/^Mem:/ {print $2}'); kernel $(uname -r); $(rustc -V)"
    echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "seed size: $SEED_SIZE generated equipements (+ the doc's sample)"
} | log

# ---- build ----------------------------------------------------------------------------------
cargo build --release --locked --quiet
cargo bench --locked --no-run --quiet 2>/dev/null || cargo bench --locked --no-run
BIN=target/release/vigie

# ---- in-process figures (their own in-process server) ---------------------------------------
if want console; then
    say "console (in-process, 100,000 rows; divan: fastest | slowest | median | mean)"
    VIGIE_BENCH_SEED_SIZE=$SEED_SIZE cargo bench --locked --quiet --bench console 2>&1 | log
fi

# ---- the reference server -------------------------------------------------------------------
TMP=$(mktemp -d)
SERVER_PID=
FAR_PID=
cleanup() {
    [ -n "$FAR_PID" ] && kill "$FAR_PID" 2>/dev/null && wait "$FAR_PID" 2>/dev/null
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
if want load || want process || want list || want import || want server; then
    start=$(date +%s%N)
    VIGIE_JWT_SECRET=bench-secret XDG_DATA_HOME="$TMP/data" "$BIN" serve --seed demo \
        --seed-size "$SEED_SIZE" --listen "127.0.0.1:$PORT" --db "$TMP/bench.db" \
        >"$TMP/serve.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 600); do
        grep -q "seeded" "$TMP/serve.log" 2>/dev/null && break
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$TMP/serve.log" >&2; exit 1; }
        sleep 0.2
    done
    # Ready when a login answers.
    until curl -sf -o /dev/null -X POST "$URL/auth/login" \
        -d "username=$ADMIN&password=$PASSWORD"; do sleep 0.2; done
    say "vigie serve --seed demo --seed-size $SEED_SIZE"
    echo "seeded and answering after $((($(date +%s%N) - start) / 1000000)) ms" | log
fi
token() {
    curl -sf -X POST "$URL/auth/login" -d "username=$ADMIN&password=$PASSWORD" |
        jq -r .access_token
}
server_rss() { awk '/^VmRSS/ {print $2 " kB"}' "/proc/$SERVER_PID/status"; }

if want load; then
    say "load every equipement over loopback (3 runs each, alternated)"
    VIGIE_BENCH_URL=$URL VIGIE_BENCH_SERVER_PID=$SERVER_PID VIGIE_BENCH_SWEEP=1 \
        cargo bench --locked --quiet --bench load 2>&1 | grep -v "^$" | log
    # The same database served with 1 ms before each answer, as over a network.
    say "the same load with 1 ms of latency a request (vigie serve --chaos latency=1ms)"
    FAR_PORT=$((PORT + 1))
    VIGIE_JWT_SECRET=bench-secret XDG_DATA_HOME="$TMP/data" "$BIN" serve --chaos latency=1ms \
        --listen "127.0.0.1:$FAR_PORT" --db "$TMP/bench.db" >"$TMP/far.log" 2>&1 &
    FAR_PID=$!
    for _ in $(seq 1 300); do
        curl -sf -o /dev/null -X POST "http://127.0.0.1:$FAR_PORT/auth/login" \
            -d "username=$ADMIN&password=$PASSWORD" && break
        kill -0 "$FAR_PID" 2>/dev/null || { cat "$TMP/far.log" >&2; exit 1; }
        sleep 0.2
    done
    VIGIE_BENCH_URL=http://127.0.0.1:$FAR_PORT VIGIE_BENCH_SERVER_PID=$FAR_PID \
        cargo bench --locked --quiet --bench load 2>&1 | grep -v "^$" | log
    kill "$FAR_PID" 2>/dev/null && wait "$FAR_PID" 2>/dev/null || true
    FAR_PID=
fi

if want process; then
    say "console process in a 200x50 pty: start, idle, memory"
    VIGIE_BENCH_URL=$URL VIGIE_BENCH_SEED_SIZE=$SEED_SIZE \
        cargo bench --locked --quiet --bench process 2>&1 | grep -v "^$" | log
fi

if want list; then
    say "vigie list equipements --site LOUM -o json, beside curl + jq (hyperfine)"
    cat >"$TMP/curl-jq.sh" <<EOF
#!/usr/bin/env bash
# The same lookup by hand: log in, find the site, read every page of its equipements.
set -euo pipefail
tok=\$(curl -sf -X POST "$URL/auth/login" -d "username=$ADMIN&password=$PASSWORD" | jq -r .access_token)
auth="Authorization: Bearer \$tok"
site=\$(curl -sf -H "\$auth" "$URL/client_site/all" |
    jq -r '[.[] | select((.name | ascii_downcase) == "loum")] | .[0].site_id')
page=1
while :; do
    body=\$(curl -sf -H "\$auth" "$URL/client_site/\$site/all_equipements?page=\$page&size=100")
    echo "\$body" | jq '.items[] | .password = "********"'
    pages=\$(echo "\$body" | jq -r '.pages // 1')
    [ "\$page" -ge "\$pages" ] && break
    page=\$((page + 1))
done | jq -s .
EOF
    chmod +x "$TMP/curl-jq.sh"
    export VIGIE_PASSWORD=$PASSWORD XDG_DATA_HOME="$TMP/data" XDG_CONFIG_HOME="$TMP/config"
    vigie_list="$BIN --url $URL --user $ADMIN list equipements --site LOUM -o json"
    # Same rows either way.
    a=$($vigie_list | jq length)
    b=$("$TMP/curl-jq.sh" | jq length)
    echo "rows: vigie list $a, curl + jq $b" | log
    hyperfine --warmup 1 --runs 10 --export-markdown "$TMP/list.md" \
        -n "vigie list" "$vigie_list" -n "curl + jq" "$TMP/curl-jq.sh" 2>&1 | log
    cat "$TMP/list.md" | log
    /usr/bin/time -v $vigie_list 2>&1 >/dev/null |
        grep -E "Maximum resident|Elapsed" | sed 's/^\s*/vigie list: /' | log
fi

if want import; then
    ROWS=${IMPORT_ROWS:-10000}
    say "importing $ROWS equipements over loopback, beside curl sending the same creates"
    tok=$(token)
    auth="Authorization: Bearer $tok"
    client=$(curl -sf -H "$auth" "$URL/client_site/all" | jq -r '.[0].client_id')
    new_site() { # name → site id
        curl -sf -H "$auth" -H "Content-Type: application/json" -X POST \
            "$URL/client_site/register" \
            -d "{\"client_id\":\"$client\",\"name\":\"$1\",\"longitude\":9.7,\"latitude\":4.0,\"description\":\"\"}" |
            jq -r .site_id
    }
    # French headers, `;`, as a spreadsheet writes them.
    awk -v n="$ROWS" 'BEGIN {
        print "adresse IP;port;marque;modèle;sources;utilisateur;mot de passe;description"
        for (i = 0; i < n; i++)
            printf "10.%d.%d.%d;554;Hikvision;DS-2CD;rtsp://cam/%d;admin;pw-%d;caméra %d\n",
                100 + int(i / 65000), int(i / 250) % 250, i % 250 + 1, i, i, i
    }' >"$TMP/import.csv"
    export VIGIE_PASSWORD=$PASSWORD XDG_DATA_HOME="$TMP/data" XDG_CONFIG_HOME="$TMP/config"
    new_site "Bench import vigie" >/dev/null
    /usr/bin/time -f "dry run (read, check, plan against the empty site): %e s, max RSS %M kB" \
        "$BIN" --url "$URL" --user "$ADMIN" import equipements "$TMP/import.csv" \
        --site "Bench import vigie" --dry-run 2>&1 >/dev/null | tail -1 | log
    /usr/bin/time -f "vigie import (4 in flight): %e s, max RSS %M kB" \
        "$BIN" --url "$URL" --user "$ADMIN" import equipements "$TMP/import.csv" \
        --site "Bench import vigie" 2>&1 >/dev/null | tail -1 | log
    /usr/bin/time -f "the same again (every row already there: skipped): %e s, max RSS %M kB" \
        "$BIN" --url "$URL" --user "$ADMIN" import equipements "$TMP/import.csv" \
        --site "Bench import vigie" 2>&1 >/dev/null | tail -1 | log
    new_site "Bench import vigie 8" >/dev/null
    /usr/bin/time -f "vigie import (8 in flight): %e s, max RSS %M kB" \
        "$BIN" --url "$URL" --user "$ADMIN" import equipements "$TMP/import.csv" \
        --site "Bench import vigie 8" --concurrency 8 2>&1 >/dev/null | tail -1 | log
    # The raw transfer: the same creates as curl sends them, 4 at a time, one process.
    raw=$(new_site "Bench import curl")
    awk -F';' -v site="$raw" -v url="$URL" -v auth="$auth" 'NR > 1 {
        if (NR > 2) print "next"
        printf "url = \"%s/equipements/register\"\nheader = \"%s\"\nheader = \"Content-Type: application/json\"\n", url, auth
        printf "data = \"{\\\"ip\\\":\\\"%s\\\",\\\"site_id\\\":\\\"%s\\\",\\\"marque\\\":\\\"%s\\\",\\\"modele\\\":\\\"%s\\\",\\\"sources\\\":[\\\"%s\\\"],\\\"port\\\":%s,\\\"username\\\":\\\"%s\\\",\\\"password\\\":\\\"%s\\\",\\\"description\\\":\\\"%s\\\"}\"\n", $1, site, $3, $4, $5, $2, $6, $7, $8
        print "output = \"/dev/null\""
    }' "$TMP/import.csv" >"$TMP/curl.cfg"
    /usr/bin/time -f "curl --parallel (4 in flight), the same creates: %e s, max RSS %M kB" \
        curl -s --parallel --parallel-max 4 -K "$TMP/curl.cfg" 2>&1 >/dev/null | tail -1 | log
    for s in "Bench import vigie" "Bench import vigie 8" "Bench import curl"; do
        n=$("$BIN" --url "$URL" --user "$ADMIN" list equipements --site "$s" -o json | jq length)
        echo "rows on $s: $n" | log
    done
fi

if want server; then
    say "reference server under load (loopback, ${WRK_SECS}s each, load generator on the same 2 cores)"
    tok=$(token)
    echo "server resident size before: $(server_rss)" | log
    run_load() { # name, path, [auth]
        local name=$1 path=$2 auth=${3:-}
        if command -v wrk >/dev/null; then
            local args=(-t2 -c16 -d"${WRK_SECS}s" --latency --timeout 10s)
            [ -n "$auth" ] && args+=(-H "Authorization: Bearer $tok")
            echo "-- $name: wrk ${args[*]//$tok/TOKEN} $URL$path" | log
            wrk "${args[@]}" "$URL$path" 2>&1 |
                grep -E "Requests/sec|Transfer/sec|Latency|50%|90%|99%|requests in|Non-2xx|errors" | log
        else
            local args=(-z "${WRK_SECS}s" -c 16 --no-tui)
            [ -n "$auth" ] && args+=(-H "Authorization: Bearer $tok")
            echo "-- $name: oha ${args[*]//$tok/TOKEN} $URL$path" | log
            oha "${args[@]}" "$URL$path" 2>&1 |
                grep -E "Requests/sec|Slowest|Fastest|Average|99.00%|50.00%|Success rate" | log
        fi
    }
    run_load "idle-cost baseline: an unknown route (404, no auth, no database)" /vigie-bench-404
    run_load "authenticated baseline: /roles/list (token check, 2 small queries)" /roles/list auth
    run_load "GET /equipements/all?size=100 (first page)" "/equipements/all?size=100" auth
    run_load "GET /equipements/all?size=100&page=1000 (last page)" \
        "/equipements/all?size=100&page=1000" auth
    echo "server resident size after: $(server_rss)" | log
fi

say "done"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); results in $RESULTS" | log
