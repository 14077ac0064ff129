#!/usr/bin/env bash
# Stops what deploy/up.sh started (by the pid files in var/stack/), then the stack's PostgreSQL cluster.
#   deploy/down.sh           # stop; the data stays for the next up.sh
#   deploy/down.sh --purge   # also drop the cluster 15/wuyestack and var/stack (the main cluster is never touched)
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STACK=$ROOT/var/stack
export PATH=$PATH:/usr/sbin

stop() { # name [signal]: the process group started by up.sh (setsid: group id = pid)
    local f=$STACK/$1.pid pid i
    [[ -f $f ]] || return 0
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then
        kill -"${2:-TERM}" -- "-$pid" 2>/dev/null || kill -"${2:-TERM}" "$pid" 2>/dev/null
        for ((i = 0; i < 150; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            echo "  $1 (pid $pid) still running after 15 s: SIGKILL"
            kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
        fi
        echo "  $1 stopped"
    fi
    rm -f "$f"
}

rm -f "$STACK/stack.env" # the stack is going: the smoke test and bench/load.py refuse to run without it
stop nginx QUIT
for f in "$STACK"/worker-*.pid "$STACK"/scheduler.pid; do
    [[ -f $f ]] && stop "$(basename "$f" .pid)"
done
stop web
stop pgbouncer
stop redis
if pg_lsclusters -h 2>/dev/null | awk '{print $1"/"$2}' | grep -qx "15/wuyestack"; then
    if [[ "${1:-}" == "--purge" ]]; then
        pg_dropcluster --stop 15 wuyestack && echo "  cluster 15/wuyestack dropped"
        rm -rf "$STACK"
    else
        pg_ctlcluster 15 wuyestack stop 2>/dev/null && echo "  cluster 15/wuyestack stopped"
    fi
fi
exit 0
