#!/usr/bin/env bash
# The Neo4j 5.26 test server for kg's tests and CI: embedded Neo4j community built
# from Maven Central jars (docker/neo4j-test-server/), Bolt on 127.0.0.1, no HTTP.
#
#   docker/neo4j-test-server.sh build          build the jar unless it is up to date
#   docker/neo4j-test-server.sh start [PORT]   start (free port unless given); prints NEO4J_URI=...
#   docker/neo4j-test-server.sh stop           stop it and delete its state and data
#   docker/neo4j-test-server.sh status         print NEO4J_URI=... and exit 0 if running, else exit 1
#
# Only the NEO4J_URI=... line goes to stdout, so `eval "$(docker/neo4j-test-server.sh start)"`
# works. User neo4j, password $NEO4J_PASSWORD (default kg-test-password).
# State (port, pid, data, log) lives in $KG_NEO4J_STATE_DIR (default <repo>/.neo4j-test/).
# Needs Java 17+ and, to build, Maven 3.8+; the first build downloads ~125 MB from Maven
# Central into ~/.m2, later builds work offline.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
PROJECT="$HERE/neo4j-test-server"
JAR="$PROJECT/target/neo4j-test-server.jar"
STATE="${KG_NEO4J_STATE_DIR:-$ROOT/.neo4j-test}"
START_TIMEOUT="${KG_NEO4J_START_TIMEOUT:-120}"
JAVA_OPTS="${KG_NEO4J_JAVA_OPTS:--Xms256m -Xmx1g -XX:+ExitOnOutOfMemoryError}"
export NEO4J_PASSWORD="${NEO4J_PASSWORD:-kg-test-password}"

say() { echo "neo4j-test-server: $*" >&2; }
die() { say "$*"; exit 1; }

jar_is_current() {
    [[ -f "$JAR" && -d "$PROJECT/target/lib" ]] || return 1
    [[ -z "$(find "$PROJECT/pom.xml" "$PROJECT/src" -newer "$JAR" -print -quit)" ]]
}

build() {
    if jar_is_current; then
        return 0
    fi
    command -v mvn >/dev/null || die "Maven (mvn) is needed to build $JAR"
    say "building $JAR (the first build downloads Neo4j from Maven Central)"
    rm -rf "$PROJECT/target/lib"
    local log
    log="$(mktemp)"
    if ! (cd "$PROJECT" && mvn -q -B package) >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        die "build failed"
    fi
    rm -f "$log"
    touch "$JAR"
}

# The pid of the server process this state dir records, or nothing; a pid file left by a
# dead or reused process is stale.
server_pid() {
    local pid
    pid="$(cat "$STATE/pid" 2>/dev/null)" || return 0
    [[ "$pid" =~ ^[0-9]+$ ]] || return 0
    if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'neo4j-test-server.jar'; then
        echo "$pid"
    fi
}

# Its pid once it is ready: start writes the port file last.
running_pid() {
    [[ -f "$STATE/port" ]] && server_pid
    return 0
}

uri() { echo "bolt://127.0.0.1:$(cat "$STATE/port")"; }

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

check_java() {
    command -v java >/dev/null || die "Java 17+ is needed (java not found)"
    local major
    major="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
    [[ "${major%%.*}" -ge 17 ]] 2>/dev/null || die "Java 17+ is needed (found ${major:-unknown})"
}

# Bolt answers with the right credentials; the neo4j driver is what the tests use too.
verify_bolt() {
    python3 - "$1" <<'EOF'
import os, sys, time
try:
    from neo4j import GraphDatabase
except ImportError:
    sys.exit(0)  # no driver to check with: the server's ready line has to do
deadline = time.monotonic() + 30
while True:
    try:
        with GraphDatabase.driver(sys.argv[1], auth=("neo4j", os.environ["NEO4J_PASSWORD"])) as d:
            d.verify_connectivity()
        break
    except Exception as e:
        if time.monotonic() > deadline:
            sys.exit(f"Bolt does not answer: {e}")
        time.sleep(0.5)
EOF
}

wait_ready() {
    local pid="$1" port="$2" waited=0
    until grep -q '^NEO4J_TEST_SERVER_READY ' "$STATE/server.log" 2>/dev/null; do
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 30 "$STATE/server.log" >&2 || true
            rm -f "$STATE/pid"
            die "the server exited during start-up (log: $STATE/server.log)"
        fi
        if ((waited >= START_TIMEOUT * 2)); then
            stop_server
            die "not ready after ${START_TIMEOUT}s"
        fi
        sleep 0.5
        waited=$((waited + 1))
    done
    verify_bolt "bolt://127.0.0.1:$port" || { stop_server; die "started but Bolt does not answer"; }
}

start() {
    local port="${1:-}" pid
    pid="$(running_pid)"
    if [[ -n "$pid" ]]; then
        echo "NEO4J_URI=$(uri)"
        return 0
    fi
    check_java
    build
    stop_server # one left half-started by an interrupted start
    port="${port:-$(free_port)}"
    # shellcheck disable=SC2086  # JAVA_OPTS is a list of words
    nohup java $JAVA_OPTS -jar "$JAR" "$port" "$STATE/home" >"$STATE/server.log" 2>&1 9>&- </dev/null &
    pid=$!
    echo "$pid" >"$STATE/pid"
    wait_ready "$pid" "$port"
    echo "$port" >"$STATE/port" # last: tests/neo4j_server.py takes a port file to mean "ready"
    say "Neo4j $(sed -n 's/^NEO4J_TEST_SERVER_READY .* neo4j=//p' "$STATE/server.log") ready, pid $pid"
    echo "NEO4J_URI=$(uri)"
}

stop_server() {
    local pid waited=0
    pid="$(server_pid)"
    if [[ -n "$pid" ]]; then
        kill -TERM "$pid"
        while kill -0 "$pid" 2>/dev/null; do
            if ((waited >= 300)); then
                say "no clean shutdown after 30s; killing pid $pid"
                kill -KILL "$pid" 2>/dev/null || true
            fi
            sleep 0.1
            waited=$((waited + 1))
        done
    fi
    rm -rf "$STATE/home" "$STATE/pid" "$STATE/port" "$STATE/server.log"
}

status() {
    if [[ -n "$(running_pid)" ]]; then
        echo "NEO4J_URI=$(uri)"
    else
        say "not running"
        return 1
    fi
}

main() {
    local command="${1:-}"
    mkdir -p "$STATE"
    if [[ "$command" != status ]]; then
        # One build/start/stop at a time per state dir (parallel test runs may all call start).
        exec 9>"$STATE/lock"
        flock 9
    fi
    case "$command" in
        build) build ;;
        start) start "${2:-}" ;;
        stop) stop_server ;;
        status) status ;;
        *) echo "usage: $0 {build|start [PORT]|stop|status}" >&2; exit 2 ;;
    esac
}

main "$@"
