#!/usr/bin/env bash
# Side-by-side benchmarks: our memcache_server vs memcached 1.6.18, our event
# vs threaded engine, the echo server beside the memcache server, our client
# library vs libmemcached, and memory per item. Called by `make bench`.
#
#   bench/run.sh [BUILD_DIR]            (default build)
#   ROUNDS=3 DURATION=3 WARMUP=1 SERVER_THREADS=1 RT=1 MEMTIER=/path/to/memtier_benchmark \
#     BUSY_POLL_US=50 SECTIONS="server busypoll nobatch engines echo client memory memtier" \
#     bench/run.sh build
#
# Servers run pinned to CPU $SERVER_CPU (default 0) and every load generator
# to $LOAD_CPU (default 1) when the machine has two or more CPUs, so the two
# never compete for a core. Each load runs against A then B in every round;
# tables show the median of the rounds and the ratio ours/memcached.
# Raw JSON from every mcbench run is kept in $OUT (default /tmp/mcbench.XXXX).
# RT=1 (root only) runs servers and load generators SCHED_FIFO, so background
# jobs on a shared machine (even niced ones) cannot delay their wake-ups; the
# kernel's RT throttling still leaves them 5% of each CPU. MEMTIER=path adds a
# cross-check: mcbench and memtier_benchmark, same load, against memcached.
# MEMORY_PREFIXES (default "key: k:") sets the key prefixes of the memory test
# (keys are prefix + 10 digits), since both servers round item sizes up.
set -euo pipefail

BUILD=${1:-build}
BIN="$BUILD/bin"
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-3}
WARMUP=${WARMUP:-1}
SERVER_THREADS=${SERVER_THREADS:-1}
SECTIONS=${SECTIONS:-"server busypoll nobatch engines echo client memory memtier"}
BUSY_POLL_US=${BUSY_POLL_US:-50}
RT=${RT:-0}
MEMTIER=${MEMTIER:-}
OUT=${OUT:-$(mktemp -d /tmp/mcbench.XXXX)}
mkdir -p "$OUT"

for b in mcbench memcache_server echo_server client_vs_libmemcached; do
  [[ -x "$BIN/$b" ]] || { echo "run.sh: missing $BIN/$b (run make first)" >&2; exit 2; }
done
command -v memcached >/dev/null || { echo "run.sh: memcached not installed" >&2; exit 2; }

if [[ $(nproc) -ge 2 ]]; then
  SERVER_CPU=${SERVER_CPU:-0}
  LOAD_CPU=${LOAD_CPU:-1}
  PIN_SERVER="taskset -c $SERVER_CPU"
  PIN_LOAD="taskset -c $LOAD_CPU"
else
  PIN_SERVER=""
  PIN_LOAD=""
fi
if [[ $RT == 1 ]]; then
  PIN_SERVER="chrt -f 10 $PIN_SERVER"
  PIN_LOAD="chrt -f 10 $PIN_LOAD"
fi
MC_USER=()
[[ $(id -u) == 0 ]] && MC_USER=(-u root)

PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [[ -n "$p" ]] && kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
    echo $((20000 + RANDOM % 20000))
}

wait_port() {  # host port
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "run.sh: nothing listening on $1:$2" >&2
  return 1
}

# start_server NAME -> sets PORT_<NAME>, PID_<NAME>. Kinds: memcached, event,
# threaded, busypoll (event engine with --busy_poll_us $BUSY_POLL_US),
# nobatch (event engine with --io_uring=false), echo_event, echo_threaded.
start_server() {
  local name=$1 port
  port=$(free_port)
  case $name in
    memcached) $PIN_SERVER memcached -p "$port" -l 127.0.0.1 -U 0 -t "$SERVER_THREADS" -m 1024 \
                 -c 4096 "${MC_USER[@]}" & ;;
    event|threaded) $PIN_SERVER "$BIN/memcache_server" -p "$port" -l 127.0.0.1 \
                 -t "$SERVER_THREADS" -m 1024 -c 4096 --engine "$name" 2>"$OUT/$name.log" & ;;
    nobatch) $PIN_SERVER "$BIN/memcache_server" -p "$port" -l 127.0.0.1 \
                 -t "$SERVER_THREADS" -m 1024 -c 4096 --io_uring=false 2>"$OUT/$name.log" & ;;
    busypoll) $PIN_SERVER "$BIN/memcache_server" -p "$port" -l 127.0.0.1 \
                 -t "$SERVER_THREADS" -m 1024 -c 4096 --busy_poll_us "$BUSY_POLL_US" \
                 2>"$OUT/$name.log" & ;;
    echo_event|echo_threaded) $PIN_SERVER "$BIN/echo_server" --port "$port" --listen 127.0.0.1 \
                 --threads "$SERVER_THREADS" --max_connections 4096 --engine "${name#echo_}" \
                 2>"$OUT/$name.log" & ;;
  esac
  local pid=$!
  PIDS+=("$pid")
  wait_port 127.0.0.1 "$port"
  printf -v "PORT_$name" '%s' "$port"
  printf -v "PID_$name" '%s' "$pid"
}

stop_server() {
  local pid_var="PID_$1"
  kill "${!pid_var}" 2>/dev/null || true
  wait "${!pid_var}" 2>/dev/null || true
}

mcbench() { $PIN_LOAD "$BIN/mcbench" --quiet "$@"; }

# Fills key:0..99999 (32 B), big:0..19999 (4 KiB) and mg:0..499999 (32 B)
# so gets mostly hit (multi-gets always: they only read mg: keys).
prefill() {
  local port=$1
  mcbench --server "127.0.0.1:$port" --connections 10 --pipeline 16 --ratio 1:0 \
    --key_pattern sequential --keys 100000 --requests 10000 --value_size 32
  mcbench --server "127.0.0.1:$port" --connections 10 --pipeline 16 --ratio 1:0 \
    --key_pattern sequential --keys 20000 --requests 2000 --value_size 4096 --key_prefix big:
  mcbench --server "127.0.0.1:$port" --connections 10 --pipeline 16 --ratio 1:0 \
    --key_pattern sequential --keys 500000 --requests 50000 --value_size 32 --key_prefix mg:
}

# Load name -> mcbench arguments.
declare -A LOADS=(
  [small_1:10]="--connections 50 --pipeline 1 --value_size 32 --keys 100000"
  [pipeline16]="--connections 50 --pipeline 16 --value_size 32 --keys 100000"
  [single_conn]="--connections 1 --pipeline 1 --value_size 32 --keys 100000"
  [value_4KiB]="--connections 50 --pipeline 1 --value_size 4096 --keys 20000 --key_prefix big:"
  [conns_1000]="--connections 1000 --pipeline 1 --value_size 32 --keys 100000"
  [multiget_100]="--connections 20 --pipeline 1 --ratio 0:1 --multiget 100 --value_size 32 --keys 500000 --key_prefix mg:"
)
# LOAD_NAMES picks a subset, e.g. LOAD_NAMES="conns_1000" ROUNDS=5 SECTIONS=server.
read -ra LOAD_ORDER <<<"${LOAD_NAMES:-small_1:10 pipeline16 single_conn value_4KiB conns_1000 multiget_100}"
ECHO_LOADS=(small_1:10 pipeline16 single_conn)

# total_field FILE FIELD -> number from the "total" line of an mcbench JSON.
total_field() {
  awk -v f="\"$2\":" '/"total"/ { for (i = 1; i <= NF; i++) if ($i == f) { v = $(i+1); gsub(/[,}]/, "", v); print v } }' "$1"
}

# utime + stime of a process, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
CLK_TCK=$(getconf CLK_TCK)

# Server CPU microseconds per request of one run: its CPU time over the whole
# run (warm-up included) divided by the measured rate times that time.
cpu_per_op() {  # json cpu_file
  awk -v t="$(cat "$2")" -v r="$(total_field "$1" ops_per_sec)" -v hz="$CLK_TCK" \
    -v s="$DURATION" -v w="$WARMUP" 'BEGIN { print (r > 0 ? t * 1e6 / hz / (r * (s + w)) : 0) }'
}

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR ? a[int((NR + 1) / 2)] : 0) }'; }

# run_pair SECTION A B LOADS... : alternating runs, then the table.
run_pair() {
  local section=$1 a=$2 b=$3; shift 3
  local loads=("$@")
  for round in $(seq "$ROUNDS"); do
    for load in "${loads[@]}"; do
      for side in "$a" "$b"; do
        local port_var="PORT_$side" proto=text args=${LOADS[$load]}
        [[ $side == echo_* ]] && proto=echo
        local pid_var="PID_$side" t0 t1
        t0=$(cpu_ticks "${!pid_var}")
        mcbench --server "127.0.0.1:${!port_var}" --protocol "$proto" $args \
          --duration "$DURATION" --warmup "$WARMUP" \
          --json "$OUT/$section.$load.$side.$round.json" || echo "run.sh: $section $load $side failed" >&2
        t1=$(cpu_ticks "${!pid_var}")
        echo $((t1 - t0)) >"$OUT/$section.$load.$side.$round.cpu"
      done
    done
  done
  print_table "$section" "$a" "$b" "${loads[@]}"
}

print_table() {
  local section=$1 a=$2 b=$3; shift 3
  echo
  echo "== $section: $b vs $a (median of $ROUNDS x ${DURATION}s; ratio = $b / $a)"
  echo "   (cpu = server CPU us per request, a noise-resistant cost measure)"
  printf '%-12s %12s %12s %6s | %9s %9s %6s | %6s %6s %6s\n' load "$a ops/s" "$b ops/s" ratio \
    "$a p99us" "$b p99us" ratio "$a cpu" "$b cpu" ratio
  for load in "$@"; do
    local oa ob pa pb ca cb
    ca=$(for f in "$OUT/$section.$load.$a".*.json; do cpu_per_op "$f" "${f%.json}.cpu"; done | median)
    cb=$(for f in "$OUT/$section.$load.$b".*.json; do cpu_per_op "$f" "${f%.json}.cpu"; done | median)
    oa=$(for f in "$OUT/$section.$load.$a".*.json; do total_field "$f" ops_per_sec; done | median)
    ob=$(for f in "$OUT/$section.$load.$b".*.json; do total_field "$f" ops_per_sec; done | median)
    pa=$(for f in "$OUT/$section.$load.$a".*.json; do total_field "$f" p99; done | median)
    pb=$(for f in "$OUT/$section.$load.$b".*.json; do total_field "$f" p99; done | median)
    awk -v l="$load" -v oa="$oa" -v ob="$ob" -v pa="$pa" -v pb="$pb" -v ca="$ca" -v cb="$cb" 'BEGIN {
      printf "%-12s %12.0f %12.0f %6.2f | %9.1f %9.1f %6.2f | %6.2f %6.2f %6.2f\n", l, oa, ob,
        (oa > 0 ? ob / oa : 0), pa, pb, (pa > 0 ? pb / pa : 0), ca, cb, (ca > 0 ? cb / ca : 0) }'
  done
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# Bytes per item: RSS growth of a fresh server while 1M 100-byte values are
# set under keys PREFIX + 10 digits.
memory_of() {
  local name=$1 prefix=$2 port_var pid_var before after items
  start_server "$name"
  port_var="PORT_$name"
  pid_var="PID_$name"
  sleep 0.2
  before=$(rss_kb "${!pid_var}")
  mcbench --server "127.0.0.1:${!port_var}" --connections 10 --pipeline 16 --ratio 1:0 \
    --key_pattern sequential --keys 1000000 --requests 100000 --value_size 100 \
    --key_prefix "$prefix"
  after=$(rss_kb "${!pid_var}")
  items=$("$BIN/mcclient" -s "127.0.0.1:${!port_var}" stats 2>/dev/null |
    awk '$2 == "curr_items" { print $3 }')
  stop_server "$name"
  awk -v n="$name" -v k=$(( ${#prefix} + 10 )) -v b="$before" -v a="$after" -v i="${items:-0}" 'BEGIN {
    printf "%-10s %6d %10d %12d %12d %10.1f\n", n, k, b, a, i, (i > 0 ? (a - b) * 1024.0 / i : 0) }'
}

echo "machine: $(nproc) CPUs, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg); servers: -t $SERVER_THREADS ${PIN_SERVER:-unpinned};" \
  "load generator: ${PIN_LOAD:-unpinned}; raw results in $OUT"

if [[ " $SECTIONS " == *" server "* ]]; then
  start_server memcached
  start_server event
  prefill "$PORT_memcached"
  prefill "$PORT_event"
  run_pair server memcached event "${LOAD_ORDER[@]}"
  stop_server memcached
fi

if [[ " $SECTIONS " == *" busypoll "* ]]; then
  # The same loads against our server with busy polling on (its I/O thread
  # has core $SERVER_CPU to itself, which is what the option is for).
  # Under RT=1 the polling thread is a CPU-bound SCHED_FIFO task: the kernel's
  # RT throttling pauses it ~50 ms a second, so these rows mean little there.
  [[ $RT == 1 ]] && echo "run.sh: note: busypoll rows under RT=1 suffer RT throttling" >&2
  start_server memcached
  start_server busypoll
  prefill "$PORT_memcached"
  prefill "$PORT_busypoll"
  run_pair busypoll memcached busypoll "${LOAD_ORDER[@]}"
  stop_server memcached
  stop_server busypoll
fi

# beside_event SECTION KIND A B : our default (event) server, started and
# prefilled once, and a fresh server of KIND, compared as A vs B.
beside_event() {
  local section=$1 kind=$2 a=$3 b=$4
  [[ -n "${PORT_event:-}" ]] || { start_server event; prefill "$PORT_event"; }
  local port_var="PORT_$kind"
  start_server "$kind"
  prefill "${!port_var}"
  run_pair "$section" "$a" "$b" "${LOAD_ORDER[@]}"
  stop_server "$kind"
}

# What batched socket I/O (one io_uring_enter per loop iteration for all
# reads, one for all writes) is worth: our server with it off vs on. The
# load generator batches in both runs.
if [[ " $SECTIONS " == *" nobatch "* ]]; then beside_event nobatch nobatch nobatch event; fi
if [[ " $SECTIONS " == *" engines "* ]]; then beside_event engines threaded event threaded; fi

if [[ " $SECTIONS " == *" echo "* ]]; then
  [[ -n "${PORT_event:-}" ]] || { start_server event; prefill "$PORT_event"; }
  start_server echo_event
  run_pair echo event echo_event "${ECHO_LOADS[@]}"
  stop_server echo_event
fi
[[ -n "${PORT_event:-}" ]] && stop_server event

if [[ " $SECTIONS " == *" client "* ]]; then
  start_server memcached
  echo
  echo "== client: our client library vs libmemcached against memcached (median of $ROUNDS x ${DURATION}s)"
  $PIN_LOAD "$BIN/client_vs_libmemcached" --server "127.0.0.1:$PORT_memcached" \
    --threads 1,16 --duration "$DURATION" --rounds "$ROUNDS"
  echo
  # (Under RT=1 meaningless: a SCHED_FIFO polling loop never yields the CPU
  # to the caller threads of the same priority on its core.)
  echo "== client, our session busy polling (SessionOptions::busy_poll = 100 us)"
  $PIN_LOAD "$BIN/client_vs_libmemcached" --server "127.0.0.1:$PORT_memcached" \
    --threads 1,16 --duration "$DURATION" --rounds "$ROUNDS" --busy_poll_us 100
  stop_server memcached
  # memcached's one worker is the limit of the 16-thread multi-get above; our
  # server answers multi-gets ~3x faster, so against it the clients' own
  # costs decide.
  start_server event
  echo
  echo "== client: both libraries against our server (event engine, -t $SERVER_THREADS)"
  $PIN_LOAD "$BIN/client_vs_libmemcached" --server "127.0.0.1:$PORT_event" \
    --threads 1,16 --duration "$DURATION" --rounds "$ROUNDS"
  stop_server event
fi

if [[ " $SECTIONS " == *" memory "* ]]; then
  echo
  echo "== memory: RSS growth while setting 1,000,000 items of 100-byte values (-m 1024)"
  printf '%-10s %6s %10s %12s %12s %10s\n' server key_len "rss0 KiB" "rss1 KiB" items "bytes/item"
  for prefix in ${MEMORY_PREFIXES:-key: k:}; do
    memory_of memcached "$prefix"
    memory_of event "$prefix"
  done
fi

if [[ " $SECTIONS " == *" memtier "* && -n "$MEMTIER" && -x "$MEMTIER" ]]; then
  # Is the load generator the bottleneck, or its artifact? The same load from
  # memtier_benchmark (-t 1 -c 50, 1:10, 32-byte values, 100k keys) and from
  # mcbench against memcached, then memtier_benchmark against memcached and
  # our busy-polling server.
  start_server memcached
  start_server busypoll
  prefill "$PORT_memcached"
  prefill "$PORT_busypoll"
  memtier() {  # port out_file
    $PIN_LOAD "$MEMTIER" -s 127.0.0.1 -p "$1" -P memcache_text -t 1 -c 50 \
      --ratio 1:10 --key-maximum 100000 --key-prefix key: -d 32 --test-time "$DURATION" \
      --hide-histogram >"$2" 2>/dev/null || true
  }
  memtier_field() { awk -v c="$2" '$1 == "Totals" { print (c == 7 ? $7 * 1000 : $c) }' "$1"; }
  echo
  echo "== load generators against memcached, and memtier_benchmark against busypoll: ops/s (p99 us)"
  for round in $(seq "$ROUNDS"); do
    mcbench --server "127.0.0.1:$PORT_memcached" ${LOADS[small_1:10]} --duration "$DURATION" \
      --warmup "$WARMUP" --json "$OUT/memtier.mcbench.$round.json"
    memtier "$PORT_memcached" "$OUT/memtier.memcached.$round.txt"
    memtier "$PORT_busypoll" "$OUT/memtier.busypoll.$round.txt"
    printf 'round %d: memcached: mcbench %8.0f (%s)  memtier %8.0f (%s) | busypoll: memtier %8.0f (%s)\n' \
      "$round" \
      "$(total_field "$OUT/memtier.mcbench.$round.json" ops_per_sec)" \
      "$(total_field "$OUT/memtier.mcbench.$round.json" p99)" \
      "$(memtier_field "$OUT/memtier.memcached.$round.txt" 2)" \
      "$(memtier_field "$OUT/memtier.memcached.$round.txt" 7)" \
      "$(memtier_field "$OUT/memtier.busypoll.$round.txt" 2)" \
      "$(memtier_field "$OUT/memtier.busypoll.$round.txt" 7)"
  done
  stop_server memcached
  stop_server busypoll
fi
