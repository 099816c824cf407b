#!/usr/bin/env bash
# Measures vigie against its performance budgets (docs/performance.md), on this machine:
#   - in-process figures: `cargo bench --bench console` (frames, filter keystrokes);
#   - whole-process figures against `vigie serve --seed demo --seed-size N` on loopback:
#     loading every equipement (`--bench load`: where its client CPU goes, then with 1 ms of
#     latency a request),
#     start, idle CPU and resident size in a pty (`--bench process`), `vigie list` beside
#     curl + jq (hyperfine), and the reference server under a load generator (wrk, or oha).
# Installs what it needs when missing (apt-get as root, else cargo install). Bounded in time:
# every load run stops by itself, and the server it starts is stopped on exit.
#
#   - `vigie list` of every equipement in each format against the raw transfer of the same
#     pages (curl --parallel, 6 in flight, into /dev/null), alternated in the same run; the
#     site lookup against curl's three requests (login, sites, page);
#   - slowlink: the same server behind `--chaos latency=50ms,bandwidth=2.5MB/s`, compressing
#     and not (`--like no-compression`): start to first data, a site lookup, every equipement;
#   - million: servers seeded with SCALE_SIZES rows (10,000, 100,000, 1,000,000): seed time,
#     `vigie list`, and the in-process console figures at each size;
#   - sites: at SCALE_SIZES, the fleet's lookups with the default settings and nothing kept:
#     `vigie list sites` and `vigie list equipements --site LOUM` (and the biggest site)
#     against curl's transfer of the same requests, time and max RSS; the console's exec to
#     its first frame with data and `:site LOUM` to the site's equipements;
#   - instructions: the instructions a `vigie list equipements` of every row executes in each
#     format (valgrind's callgrind: the same from run to run, where times move by 20% on a
#     shared machine), to weigh a change to the client's work alone. BASE_BIN, if set, is
#     counted too (a binary built before the change).
#
#   - loadratio: the console's load of every equipement against the raw transfer of the same
#     pages, alternated, the server sharing the client's cores and then on a core of its own;
#
# Usage: scripts/bench.sh [console] [load] [process] [list] [import] [server] [slowlink]
#   [million] [sites] [instructions] [loadratio]  (default: all but million, sites,
#   instructions and loadratio: about 15, 3, 2 and 2 minutes)
# Environment: SEED_SIZE (100000), PORT (18765), WRK_SECS (10), RUNS (5), SCALE_SIZES,
#   RESULTS (target/bench-results.txt)
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
[ ${#STEPS[@]} -eq 0 ] && STEPS=(console load process list import server slowlink)
RUNS=${RUNS:-5}
want() { [[ " ${STEPS[*]} " == *" $1 "* ]]; }

say() { printf '\n== %s\n' "$*" | tee -a "$RESULTS"; }
log() { tee -a "$RESULTS"; }

# ---- tools ----------------------------------------------------------------------------------
need_apt=()
for t in curl jq hyperfine wrk; do command -v "$t" >/dev/null || need_apt+=("$t"); done
command -v /usr/bin/time >/dev/null || need_apt+=(time)
if want instructions; then command -v valgrind >/dev/null || need_apt+=(valgrind); fi
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
if want load || want process || want list || want import || want server || want slowlink ||
    want instructions || want loadratio; then
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

# `timed LABEL CMD...`: one run, its wall time and max RSS appended to $TMP/times.LABEL.
timed() {
    local label=$1
    shift
    /usr/bin/time -f "%e %M" -o "$TMP/one" "$@" >/dev/null 2>&1 || true
    cat "$TMP/one" >>"$TMP/times.$label"
}
median_of() { cut -d' ' -f1 "$TMP/times.$1" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# `report LABEL [BASE]`: median and worst wall time and max RSS of LABEL's runs, and the ratio
# of the medians to BASE's (measured in the same run, alternated).
report() {
    local label=$1 base=${2:-} med worst rss ratio=""
    med=$(median_of "$label")
    worst=$(cut -d' ' -f1 "$TMP/times.$label" | sort -n | tail -1)
    rss=$(cut -d' ' -f2 "$TMP/times.$label" | sort -n | tail -1)
    if [ -n "$base" ]; then
        ratio=$(awk -v a="$med" -v b="$(median_of "$base")" -v n="$base" \
            'BEGIN { if (b > 0) printf ", %.2fx %s", a / b, n }')
    fi
    # A figure read from the console's screen has no max RSS (0).
    [ "$rss" = 0 ] && rss="" || rss=", max RSS ${rss} kB"
    echo "$label: median ${med} s, worst ${worst} s$rss ($(wc -l <"$TMP/times.$label") runs)$ratio" | log
}
# A curl config fetching every page of /equipements/all into /dev/null: `raw_pages URL TOKEN PAGES`.
# A fourth argument, `compressed`, asks each page compressed (curl's options end at `next`).
raw_pages() {
    seq 1 "$3" | awk -v u="$1" -v t="$2" -v c="${4:-}" '{
        if (NR > 1) print "next"
        printf "url = \"%s/equipements/all?page=%d&size=100\"\noutput = \"/dev/null\"\nheader = \"Authorization: Bearer %s\"\n", u, $1, t
        if (c == "compressed") print "compressed"
    }'
}
LOUM=0c5c5381-c357-4abc-ba1f-9fb584006a3a

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

if want list; then
    say "vigie list equipements (every page) against the raw transfer of the same pages, $RUNS runs alternated"
    export VIGIE_PASSWORD=$PASSWORD XDG_DATA_HOME="$TMP/data" XDG_CONFIG_HOME="$TMP/config" \
        XDG_CACHE_HOME="$TMP/cache"
    tok=$(token)
    pages=$(curl -sf -H "Authorization: Bearer $tok" "$URL/equipements/all?size=100" | jq .pages)
    raw_pages "$URL" "$tok" "$pages" >"$TMP/pages.cfg"
    # A first run logs in and keeps the token, as any run after the first finds it.
    "$BIN" --url "$URL" --user "$ADMIN" list equipements --site LOUM >/dev/null
    for _ in $(seq 1 "$RUNS"); do
        timed raw curl -s --parallel --parallel-max 6 -K "$TMP/pages.cfg"
        for o in json csv table; do
            timed "list-$o" "$BIN" --url "$URL" --user "$ADMIN" list equipements -o "$o"
        done
    done
    report raw
    for o in json csv table; do report "list-$o" raw; done
    say "site lookup: vigie list equipements --site LOUM against curl's three requests"
    printf '%s\n' '#!/usr/bin/env bash' 'set -euo pipefail' \
        "tok=\$(curl -sf -X POST '$URL/auth/login' -d 'username=$ADMIN&password=$PASSWORD' | jq -r .access_token)" \
        "curl -sf -o /dev/null -H \"Authorization: Bearer \$tok\" '$URL/client_site/all'" \
        "curl -sf -o /dev/null -H \"Authorization: Bearer \$tok\" '$URL/client_site/$LOUM/all_equipements?page=1&size=100'" \
        >"$TMP/three.sh"
    chmod +x "$TMP/three.sh"
    for _ in $(seq 1 "$RUNS"); do
        timed curl-three "$TMP/three.sh"
        timed lookup-kept-sites "$BIN" --url "$URL" --user "$ADMIN" list equipements --site LOUM -o json
        rm -rf "$TMP/cache/vigie/sites"
        timed lookup-kept-token "$BIN" --url "$URL" --user "$ADMIN" list equipements --site LOUM -o json
    done
    report curl-three
    report lookup-kept-sites curl-three
    report lookup-kept-token curl-three
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

# A second server on the same database: `other_server HOST PORT ARGS...` (pid in OTHER_PID).
OTHER_PID=
other_server() {
    local host=$1 port=$2
    shift 2
    VIGIE_JWT_SECRET=bench-secret XDG_DATA_HOME="$TMP/data" "$BIN" serve "$@" \
        --listen "$host:$port" --db "$TMP/bench.db" >"$TMP/other.log" 2>&1 &
    OTHER_PID=$!
    for _ in $(seq 1 300); do
        curl -sf -o /dev/null -X POST "http://$host:$port/auth/login" \
            -d "username=$ADMIN&password=$PASSWORD" && return 0
        kill -0 "$OTHER_PID" 2>/dev/null || { cat "$TMP/other.log" >&2; exit 1; }
        sleep 0.2
    done
}
stop_other() {
    [ -n "$OTHER_PID" ] && kill "$OTHER_PID" 2>/dev/null && wait "$OTHER_PID" 2>/dev/null
    OTHER_PID=
}
trap 'stop_other; cleanup' EXIT

if want slowlink; then
    SLOW_RUNS=${SLOW_RUNS:-2}
    SLOW_PORT=$((PORT + 2))
    SLOW="latency=50ms,bandwidth=2.5MB/s"
    # The machine's own address, not loopback: vigie asks for compression from any server but
    # one on 127.0.0.1 (the profile's `compress` decides otherwise).
    SLOW_HOST=$(hostname -I 2>/dev/null | awk '{print $1}')
    SLOW_HOST=${SLOW_HOST:-127.0.0.1}
    for mode in compressed plain; do
        args=(--chaos "$SLOW")
        [ "$mode" = plain ] && args+=(--like no-compression)
        say "slow link ($SLOW), server $mode: $SLOW_RUNS runs each"
        other_server "$SLOW_HOST" "$SLOW_PORT" "${args[@]}"
        SURL="http://$SLOW_HOST:$SLOW_PORT"
        export VIGIE_PASSWORD=$PASSWORD XDG_DATA_HOME="$TMP/data" XDG_CONFIG_HOME="$TMP/config" \
            XDG_CACHE_HOME="$TMP/slow-cache"
        rm -rf "$TMP/slow-cache"
        VIGIE_BENCH_URL=$SURL VIGIE_BENCH_RUNS=$SLOW_RUNS \
            cargo bench --locked --quiet --bench process -- start 2>&1 | grep -v "^$" | log
        tok=$(curl -sf -X POST "$SURL/auth/login" -d "username=$ADMIN&password=$PASSWORD" | jq -r .access_token)
        compressed=""
        [ "$mode" = compressed ] && compressed=compressed
        raw_pages "$SURL" "$tok" "$(curl -sf -H "Authorization: Bearer $tok" "$SURL/equipements/all?size=100" | jq .pages)" $compressed >"$TMP/slow-pages.cfg"
        "$BIN" --url "$SURL" --user "$ADMIN" list equipements --site LOUM >/dev/null
        for _ in $(seq 1 "$SLOW_RUNS"); do
            timed "slow-$mode-lookup-kept-sites" "$BIN" --url "$SURL" --user "$ADMIN" list equipements --site LOUM
            rm -rf "$TMP/slow-cache/vigie/sites"
            timed "slow-$mode-lookup-kept-token" "$BIN" --url "$SURL" --user "$ADMIN" list equipements --site LOUM
            timed "slow-$mode-raw-pages" curl -s --parallel --parallel-max 6 -K "$TMP/slow-pages.cfg"
            timed "slow-$mode-list-all" "$BIN" --url "$SURL" --user "$ADMIN" list equipements -o csv
        done
        report "slow-$mode-lookup-kept-sites"
        report "slow-$mode-lookup-kept-token"
        report "slow-$mode-raw-pages"
        report "slow-$mode-list-all" "slow-$mode-raw-pages"
        stop_other
    done
fi

if want loadratio; then
    # The console's load of every equipement (key to the frame saying they are all there)
    # against curl's transfer of the same pages (6 in flight), alternated: first with the
    # server and the client sharing the machine's cores, then each on its own core (taskset:
    # the server on the first, the console or curl on the second), as when the server runs
    # on another machine and the client's work does not take the server's CPU.
    tok=$(token)
    pages=$(curl -sf -H "Authorization: Bearer $tok" "$URL/equipements/all?size=100" | jq .pages)
    raw_pages "$URL" "$tok" "$pages" >"$TMP/ratio-pages.cfg"
    # `ratio_runs LABEL URL [taskset -c N]`: RUNS of each, the times in $TMP/times.LABEL-*.
    ratio_runs() {
        local label=$1 url=$2
        shift 2
        for _ in $(seq 1 "$RUNS"); do
            timed "$label-raw" "$@" curl -s --parallel --parallel-max 6 -K "$TMP/ratio-pages.cfg"
            VIGIE_BENCH_URL=$url VIGIE_BENCH_SEED_SIZE=$SEED_SIZE VIGIE_BENCH_RUNS=1 \
                "$@" cargo bench --locked --quiet --bench process -- load 2>&1 |
                sed -n 's/^load all: key to "[^"]*": \([0-9]*\) ms$/\1/p' |
                awk '{ printf "%.3f 0\n", $1 / 1000 }' >>"$TMP/times.$label-console"
        done
        report "$label-raw"
        report "$label-console" "$label-raw"
    }
    say "the console's load of every equipement against the raw transfer ($RUNS runs, alternated)"
    ratio_runs ratio-shared "$URL"
    if [ "$(nproc)" -ge 2 ]; then
        say "the same, the server on one core, the console or curl on another"
        stop_other
        VIGIE_JWT_SECRET=bench-secret XDG_DATA_HOME="$TMP/data" taskset -c 0 "$BIN" serve \
            --listen "127.0.0.1:$((PORT + 5))" --db "$TMP/bench.db" >"$TMP/pinned.log" 2>&1 &
        OTHER_PID=$!
        until curl -sf -o /dev/null -X POST "http://127.0.0.1:$((PORT + 5))/auth/login" \
            -d "username=$ADMIN&password=$PASSWORD"; do
            kill -0 "$OTHER_PID" 2>/dev/null || { cat "$TMP/pinned.log" >&2; exit 1; }
            sleep 0.2
        done
        sed "s|$URL|http://127.0.0.1:$((PORT + 5))|" "$TMP/ratio-pages.cfg" >"$TMP/pinned-pages.cfg"
        mv "$TMP/pinned-pages.cfg" "$TMP/ratio-pages.cfg"
        ratio_runs ratio-pinned "http://127.0.0.1:$((PORT + 5))" taskset -c 1
        stop_other
    fi
fi

if want million; then
    read -r -a sizes <<<"${SCALE_SIZES:-10000 100000 1000000}"
    for n in "${sizes[@]}"; do
        say "scale: $n equipements"
        stop_other
        rm -f "$TMP/scale.db"*
        start=$(date +%s%N)
        VIGIE_JWT_SECRET=bench-secret XDG_DATA_HOME="$TMP/data" "$BIN" serve --seed demo \
            --seed-size "$n" --listen "127.0.0.1:$((PORT + 3))" --db "$TMP/scale.db" \
            >"$TMP/scale.log" 2>&1 &
        OTHER_PID=$!
        until grep -q "seeded" "$TMP/scale.log" 2>/dev/null; do
            kill -0 "$OTHER_PID" 2>/dev/null || { cat "$TMP/scale.log" >&2; exit 1; }
            sleep 0.2
        done
        echo "seed: $((($(date +%s%N) - start) / 1000000)) ms" | log
        SURL="http://127.0.0.1:$((PORT + 3))"
        export VIGIE_PASSWORD=$PASSWORD XDG_DATA_HOME="$TMP/data" XDG_CONFIG_HOME="$TMP/config" \
            XDG_CACHE_HOME="$TMP/scale-cache"
        tok=$(curl -sf -X POST "$SURL/auth/login" -d "username=$ADMIN&password=$PASSWORD" | jq -r .access_token)
        raw_pages "$SURL" "$tok" "$(curl -sf -H "Authorization: Bearer $tok" "$SURL/equipements/all?size=100" | jq .pages)" >"$TMP/scale-pages.cfg"
        "$BIN" --url "$SURL" --user "$ADMIN" list equipements --site LOUM >/dev/null
        for _ in $(seq 1 3); do
            timed "scale-$n-raw" curl -s --parallel --parallel-max 6 -K "$TMP/scale-pages.cfg"
            timed "scale-$n-list-csv" "$BIN" --url "$SURL" --user "$ADMIN" list equipements -o csv
            timed "scale-$n-list-json" "$BIN" --url "$SURL" --user "$ADMIN" list equipements -o json
        done
        report "scale-$n-raw"
        report "scale-$n-list-csv" "scale-$n-raw"
        report "scale-$n-list-json" "scale-$n-raw"
        # The console: load time and resident size (pty), then frames, keys, sort, export.
        VIGIE_BENCH_URL=$SURL VIGIE_BENCH_SEED_SIZE=$n VIGIE_BENCH_IDLE_SECS=1 \
            cargo bench --locked --quiet --bench process -- memory 2>&1 | grep -v "^$" | log
        VIGIE_BENCH_SEED_SIZE=$n cargo bench --locked --quiet --bench console 2>&1 | log
        stop_other
    done
fi

if want sites; then
    read -r -a sizes <<<"${SCALE_SIZES:-10000 100000 1000000}"
    for n in "${sizes[@]}"; do
        say "sites: $n equipements, default settings, nothing kept (5 runs each, alternated)"
        stop_other
        rm -f "$TMP/sites.db"*
        VIGIE_JWT_SECRET=bench-secret XDG_DATA_HOME="$TMP/data" "$BIN" serve --seed demo \
            --seed-size "$n" --listen "127.0.0.1:$((PORT + 4))" --db "$TMP/sites.db" \
            >"$TMP/sites.log" 2>&1 &
        OTHER_PID=$!
        until grep -q "seeded" "$TMP/sites.log" 2>/dev/null; do
            kill -0 "$OTHER_PID" 2>/dev/null || { cat "$TMP/sites.log" >&2; exit 1; }
            sleep 0.2
        done
        SURL="http://127.0.0.1:$((PORT + 4))"
        tok=$(curl -sf -X POST "$SURL/auth/login" -d "username=$ADMIN&password=$PASSWORD" | jq -r .access_token)
        # The server builds its sites answer once (then keeps it until a row changes): the
        # first read is not timed.
        curl -sf -H "Authorization: Bearer $tok" "$SURL/client_site/all" -o "$TMP/sites.json"
        echo "sites list: $(stat -c %s "$TMP/sites.json") bytes" | log
        big=$(jq -r 'max_by(.equipements | length) | "\(.site_id) \(.name) \(.equipements | length)"' "$TMP/sites.json")
        read -r big_id big_name big_n <<<"$big"
        echo "biggest site: $big_name, $big_n equipements" | log
        # curl's transfer of what a lookup needs: the sites list, then the site's pages.
        site_pages() {
            seq 1 $(( ($2 + 99) / 100 > 0 ? ($2 + 99) / 100 : 1 )) | awk -v u="$SURL" -v t="$tok" -v s="$1" '{
                if (NR > 1) print "next"
                printf "url = \"%s/client_site/%s/all_equipements?page=%d&size=100\"\noutput = \"/dev/null\"\nheader = \"Authorization: Bearer %s\"\n", u, s, $1, t
            }'
        }
        site_pages "$LOUM" 1 >"$TMP/loum-pages.cfg"
        site_pages "$big_id" "$big_n" >"$TMP/big-pages.cfg"
        raw_site="curl -s -H 'Authorization: Bearer $tok' '$SURL/client_site/all' -o /dev/null && curl -s --parallel --parallel-max 6 -K"
        for _ in $(seq 1 5); do
            rm -rf "$TMP/sites-cache"
            export VIGIE_PASSWORD=$PASSWORD XDG_DATA_HOME="$TMP/data" XDG_CONFIG_HOME="$TMP/config" \
                XDG_CACHE_HOME="$TMP/sites-cache"
            timed "sites-$n-raw" curl -s -H "Authorization: Bearer $tok" "$SURL/client_site/all" -o /dev/null
            timed "sites-$n-list" "$BIN" --url "$SURL" --user "$ADMIN" list sites
            rm -rf "$TMP/sites-cache"
            timed "sites-$n-loum-raw" sh -c "$raw_site $TMP/loum-pages.cfg"
            timed "sites-$n-loum" "$BIN" --url "$SURL" --user "$ADMIN" list equipements --site LOUM
            rm -rf "$TMP/sites-cache"
            timed "sites-$n-big-raw" sh -c "$raw_site $TMP/big-pages.cfg"
            timed "sites-$n-big" "$BIN" --url "$SURL" --user "$ADMIN" list equipements --site "$big_name"
        done
        report "sites-$n-raw"
        report "sites-$n-list" "sites-$n-raw"
        report "sites-$n-loum-raw"
        report "sites-$n-loum" "sites-$n-loum-raw"
        report "sites-$n-big-raw"
        report "sites-$n-big" "sites-$n-big-raw"
        # The console, a new user's lookup: exec to the first frame with data, `:site LOUM`.
        VIGIE_BENCH_URL=$SURL VIGIE_BENCH_SEED_SIZE=$n VIGIE_BENCH_RUNS=5 \
            cargo bench --locked --quiet --bench process -- site 2>&1 | grep -v "^$" | log
        stop_other
    done
fi

if want instructions; then
    say "instructions of vigie list equipements (every row), by format (callgrind)"
    export VIGIE_PASSWORD=$PASSWORD XDG_DATA_HOME="$TMP/data" XDG_CONFIG_HOME="$TMP/config" \
        XDG_CACHE_HOME="$TMP/cache"
    # A first run logs in and keeps the token: the counted runs do what a script's next run does.
    "$BIN" --url "$URL" --user "$ADMIN" list equipements --site LOUM >/dev/null
    for b in "$BIN" ${BASE_BIN:-}; do
        for o in csv json table; do
            n=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null \
                "$b" --url "$URL" --user "$ADMIN" list equipements -o "$o" 2>&1 >/dev/null |
                awk '/refs:/ {print $NF}')
            echo "$b -o $o: $n instructions" | log
        done
    done
fi

say "done"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); results in $RESULTS" | log
