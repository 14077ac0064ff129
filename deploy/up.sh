#!/usr/bin/env bash
# Brings the production stack up on THIS machine, loopback only, from a clean checkout, then runs deploy/smoke.py.
#
#   deploy/up.sh              # install what is missing, start everything, smoke test
#   deploy/up.sh --no-smoke   # start only
#   deploy/down.sh [--purge]  # stop everything (--purge also drops the PostgreSQL cluster and var/stack)
#
# What runs (each a background process with its pid file in var/stack/, logs in var/stack/log/; no systemd here):
#   PostgreSQL 15 cluster "wuyestack" on 127.0.0.1:5450 (its own cluster: the main one on 5432 is never touched)
#   pgbouncer 127.0.0.1:6450 (transaction mode) -> 5450      redis 127.0.0.1:6451 (the shared cache)
#   gunicorn 127.0.0.1:8451 (3 workers, via pgbouncer)        nginx https://127.0.0.1:8443, http :8080 -> https
#   job workers: `manage.py procrastinate worker` x2 (the periodic tasks run inside them: no cron, no scheduler)
# The same files as deploy/ (nginx site, pgbouncer.ini) with this machine's ports and paths substituted.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STACK=$ROOT/var/stack
PY=$ROOT/.venv/bin/python
PGVER=15
CLUSTER=wuyestack
PG_PORT=5450
BOUNCER_PORT=6450
REDIS_PORT=6451
APP_PORT=8451
HTTPS_PORT=8443
HTTP_PORT=8080
WORKERS=${WUYE_STACK_WORKERS:-2}
WEB_WORKERS=${WUYE_STACK_WEB_WORKERS:-3}
SMOKE=1
[[ "${1:-}" == "--no-smoke" ]] && SMOKE=0

say() { printf '\n== %s\n' "$*"; }
die() { printf 'up.sh: %s\n' "$*" >&2; exit 1; }
[[ $(id -u) == 0 ]] || die "run as root (apt-get, pg_createcluster, nginx)"

mkdir -p "$STACK"/{log,tls,nginx,pgbouncer,media}
chmod 755 "$ROOT/var" "$STACK"

# --- packages ----------------------------------------------------------------------------------------------------
missing=()
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
[[ -x /usr/sbin/pgbouncer ]] || missing+=(pgbouncer)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v pg_createcluster >/dev/null || missing+=(postgresql-$PGVER)
if ((${#missing[@]})); then
    say "apt-get install ${missing[*]}"
    apt-get update -qq
    # policy-rc.d (containers) keeps Debian's own nginx/pgbouncer services from starting; we start ours below
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
export PATH=$PATH:/usr/sbin

say "venv (make install)"
make -C "$ROOT" install

# --- secrets (made once, kept in var/stack/secrets.env, mode 600) -------------------------------------------------
if [[ ! -f $STACK/secrets.env ]]; then
    umask 077
    {
        echo "DB_PASSWORD=$(openssl rand -hex 16)"
        echo "SECRET_KEY=$(openssl rand -base64 48 | tr -d '\n/+=')"
        echo "WUYE_AUDIT_KEY=$(openssl rand -base64 48 | tr -d '\n/+=')"
    } >"$STACK/secrets.env"
    umask 022
fi
# shellcheck disable=SC1091
source "$STACK/secrets.env"

# --- PostgreSQL: a cluster of its own ------------------------------------------------------------------------------
say "PostgreSQL cluster $PGVER/$CLUSTER on 127.0.0.1:$PG_PORT"
if ! pg_lsclusters -h | awk '{print $1"/"$2}' | grep -qx "$PGVER/$CLUSTER"; then
    pg_createcluster "$PGVER" "$CLUSTER" --port "$PG_PORT" --start-conf manual \
        -- --auth-local=peer --auth-host=scram-sha-256 >"$STACK/log/pg_createcluster.log"
fi
# settings in conf.d (included by Debian's postgresql.conf); loopback only
sed -i "s/^listen_addresses = .*/#&/" "/etc/postgresql/$PGVER/$CLUSTER/postgresql.conf"
cat >"/etc/postgresql/$PGVER/$CLUSTER/conf.d/wuyestack.conf" <<PGCONF
listen_addresses = '127.0.0.1'
max_connections = 200
shared_buffers = 256MB
password_encryption = scram-sha-256
PGCONF
if ! pg_lsclusters -h | awk -v c="$CLUSTER" '$1=="'$PGVER'" && $2==c {print $4}' | grep -q online; then
    pg_ctlcluster "$PGVER" "$CLUSTER" start
fi
psql_su() { runuser -u postgres -- psql -X -q -p "$PG_PORT" -v ON_ERROR_STOP=1 "$@"; }
psql_su -d postgres <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'wuye') THEN CREATE ROLE wuye LOGIN; END IF;
END \$\$;
ALTER ROLE wuye PASSWORD '$DB_PASSWORD';
SQL
if [[ -z $(psql_su -d postgres -Atc "select 1 from pg_database where datname='wuye'") ]]; then
    psql_su -d postgres -c "CREATE DATABASE wuye OWNER wuye"
fi
DIRECT_URL="postgres://wuye:$DB_PASSWORD@127.0.0.1:$PG_PORT/wuye"
BOUNCER_URL="postgres://wuye:$DB_PASSWORD@127.0.0.1:$BOUNCER_PORT/wuye"

# --- the environment of every app process (deploy/wuye.env.example, this machine's values) ------------------------
cat >"$STACK/app.env" <<ENV
export DJANGO_SETTINGS_MODULE=wuye.settings.production
export SECRET_KEY='$SECRET_KEY'
export WUYE_AUDIT_KEY='$WUYE_AUDIT_KEY'
export DATABASE_URL='$BOUNCER_URL'
export WUYE_WORKER_DATABASE_URL='$DIRECT_URL'
export DB_PGBOUNCER=1
export REDIS_URL='redis://127.0.0.1:$REDIS_PORT/0'
export ALLOWED_HOSTS=127.0.0.1,localhost
export CSRF_TRUSTED_ORIGINS=https://127.0.0.1:$HTTPS_PORT,https://localhost:$HTTPS_PORT
export WUYE_PUBLIC_BASE_URL=https://localhost:$HTTPS_PORT
export WUYE_TRUSTED_PROXIES=127.0.0.1,::1
export STATIC_ROOT='$ROOT/staticfiles'
export MEDIA_ROOT='$STACK/media'
export SECURE_HSTS_SECONDS=0
export SECURE_HSTS_PRELOAD=0
export WUYE_LOG_FORMAT=json
export PYTHONDONTWRITEBYTECODE=1
export WUYE_JOBS=procrastinate
ENV
chmod 600 "$STACK/app.env"
# shellcheck disable=SC1091
source "$STACK/app.env"
cd "$ROOT"
# one-off commands talk to PostgreSQL directly (migrations, demo data)
direct() { DATABASE_URL=$DIRECT_URL DB_PGBOUNCER=0 "$PY" manage.py "$@"; }

say "migrate, collectstatic, demo data"
direct migrate --noinput -v0
direct collectstatic --noinput -v0
direct triage_train --if-missing >/dev/null 2>&1 || true
if [[ $(psql_su -d wuye -Atc "select count(*) from registry_county") == 0 ]]; then
    direct demo --seed 1 --quiet-logins | tail -n 3
fi
# the second factor of the bureau users the smoke test and the load bench log in as: bound here as the office head's
# enrolment link would, the secrets written to var/stack/totp.json (mode 600)
direct shell -c "
import json, os
from wuye.accounts import totp
from wuye.accounts.models import User
from wuye.accounts.services import totp_confirm
path = '$STACK/totp.json'
known = json.load(open(path)) if os.path.exists(path) else {}
for name in ('admin', 'zhongchu', 'wangxue'):
    user = User.objects.get(username=name)
    if not user.has_second_factor or name not in known:
        if user.has_second_factor:
            User.objects.filter(pk=user.pk).update(totp_secret='')
            user.refresh_from_db()
        secret = totp.new_secret()
        totp_confirm(actor=user, user=user, secret=secret, code=totp.code_at(secret, totp.current_step() - 1))
        known[name] = secret
os.umask(0o077)
json.dump(known, open(path, 'w'))
"

# --- processes ---------------------------------------------------------------------------------------------------
running() { [[ -f $STACK/$1.pid ]] && kill -0 "$(cat "$STACK/$1.pid")" 2>/dev/null; }
# start NAME CMD...: in its own session (process group = pid, so down.sh stops its children too)
start() {
    local name=$1
    shift
    if running "$name"; then
        echo "  $name already running (pid $(cat "$STACK/$name.pid"))"
        return
    fi
    # the command as a script of its own, so a supervisor (bench/load.py, like systemd's Restart=) can start it again
    {
        echo "#!/usr/bin/env bash"
        echo "source '$STACK/app.env'"
        echo "cd '$ROOT'"
        printf 'exec'
        printf ' %q' "$@"
        echo
    } >"$STACK/$name.sh"
    chmod 700 "$STACK/$name.sh"
    setsid "$STACK/$name.sh" >>"$STACK/log/$name.log" 2>&1 </dev/null &
    echo $! >"$STACK/$name.pid"
    echo "  $name started (pid $!)"
}
wait_port() { # host port seconds
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        (echo >"/dev/tcp/$1/$2") 2>/dev/null && return 0
        sleep 0.1
    done
    die "nothing listens on $1:$2 after $3 s (see $STACK/log/)"
}

say "redis 127.0.0.1:$REDIS_PORT"
start redis redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no --dir "$STACK"
wait_port 127.0.0.1 "$REDIS_PORT" 10

say "pgbouncer 127.0.0.1:$BOUNCER_PORT -> $PG_PORT (transaction mode)"
chown postgres: "$STACK/pgbouncer"
psql_su -d postgres -Atc "select format('\"%s\" \"%s\"', rolname, rolpassword) from pg_authid where rolname='wuye'" \
    >"$STACK/pgbouncer/userlist.txt"
sed -e "s|^wuye = host=127.0.0.1 port=5432|wuye = host=127.0.0.1 port=$PG_PORT|" \
    -e "s|^listen_port = 6432|listen_port = $BOUNCER_PORT|" \
    -e "s|^unix_socket_dir = .*|unix_socket_dir =|" \
    -e "s|^auth_file = .*|auth_file = $STACK/pgbouncer/userlist.txt|" \
    -e "s|^logfile = .*|logfile =|" \
    -e "s|^pidfile = .*|pidfile =|" \
    "$ROOT/deploy/pgbouncer/pgbouncer.ini" >"$STACK/pgbouncer/pgbouncer.ini"
chown postgres: "$STACK/pgbouncer"/* && chmod 600 "$STACK/pgbouncer/userlist.txt"
start pgbouncer pgbouncer -u postgres "$STACK/pgbouncer/pgbouncer.ini"
wait_port 127.0.0.1 "$BOUNCER_PORT" 10

say "gunicorn 127.0.0.1:$APP_PORT ($WEB_WORKERS workers)"
start web "$ROOT/.venv/bin/gunicorn" wuye.wsgi:application --bind "127.0.0.1:$APP_PORT" --workers "$WEB_WORKERS" \
    --timeout 60 --graceful-timeout 20 --access-logfile "$STACK/log/access.log" --error-logfile -
wait_port 127.0.0.1 "$APP_PORT" 30

say "job workers (procrastinate x$WORKERS)"
for ((i = 1; i <= WORKERS; i++)); do
    start "worker-$i" env DATABASE_URL="$DIRECT_URL" DB_PGBOUNCER=0 "$PY" manage.py procrastinate worker
done

say "nginx https://127.0.0.1:$HTTPS_PORT (self-signed), http://127.0.0.1:$HTTP_PORT -> https"
if [[ ! -f $STACK/tls/fullchain.pem ]]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        -keyout "$STACK/tls/privkey.pem" -out "$STACK/tls/fullchain.pem" 2>/dev/null
    chmod 600 "$STACK/tls/privkey.pem"
fi
mkdir -p "$STACK/nginx/tmp"
chown www-data: "$STACK/nginx/tmp"
sed -e "s|server unix:/run/wuye/gunicorn.sock|server 127.0.0.1:$APP_PORT|" \
    -e "/listen \[::\]/d" \
    -e "s|listen 80;|listen 127.0.0.1:$HTTP_PORT;|" \
    -e "s|listen 443 ssl http2;|listen 127.0.0.1:$HTTPS_PORT ssl http2;|" \
    -e "s|server_name wuye.example.gov.cn;|server_name localhost 127.0.0.1;|" \
    -e "s|return 301 https://\$host\$request_uri;|return 301 https://\$host:$HTTPS_PORT\$request_uri;|" \
    -e "s|/etc/ssl/wuye/|$STACK/tls/|" \
    -e "s|/srv/wuye/staticfiles/|$ROOT/staticfiles/|" \
    -e "s|/var/www/letsencrypt|$STACK/nginx/acme|" \
    -e "s|/var/log/nginx/wuye.access.log|$STACK/log/nginx-access.log|" \
    -e "s|/var/log/nginx/wuye.error.log|$STACK/log/nginx-error.log|" \
    -e "s|ssl_session_cache shared:wuye_tls:10m;|ssl_session_cache shared:wuye_stack_tls:10m;|" \
    "$ROOT/deploy/nginx/wuye.conf" >"$STACK/nginx/site.conf"
cat >"$STACK/nginx/nginx.conf" <<NGINX
# generated by deploy/up.sh: the stack's own nginx (not the machine's /etc/nginx), site from deploy/nginx/wuye.conf
user www-data;
worker_processes 2;
pid $STACK/nginx.pid;
error_log $STACK/log/nginx-error.log warn;
daemon off;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    client_body_temp_path $STACK/nginx/tmp/body;
    proxy_temp_path $STACK/nginx/tmp/proxy;
    fastcgi_temp_path $STACK/nginx/tmp/fastcgi;
    uwsgi_temp_path $STACK/nginx/tmp/uwsgi;
    scgi_temp_path $STACK/nginx/tmp/scgi;
    include $STACK/nginx/site.conf;
}
NGINX
nginx -t -q -c "$STACK/nginx/nginx.conf" -g "error_log $STACK/log/nginx-error.log;"
if running nginx; then
    nginx -c "$STACK/nginx/nginx.conf" -s reload
else
    rm -f "$STACK/nginx.pid"
    setsid nginx -c "$STACK/nginx/nginx.conf" >>"$STACK/log/nginx.log" 2>&1 </dev/null &
    # nginx writes its own pid file (the master's pid, the same process)
fi
wait_port 127.0.0.1 "$HTTPS_PORT" 10

for ((i = 0; i < 100; i++)); do
    code=$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$HTTPS_PORT/healthz/" || true)
    [[ $code == 200 ]] && break
    sleep 0.2
done
[[ $code == 200 ]] || die "/healthz/ answers $code through nginx (see $STACK/log/)"
echo "  up: https://localhost:$HTTPS_PORT/  (self-signed: $STACK/tls/fullchain.pem)"
cat >"$STACK/stack.env" <<ENV
STACK_URL=https://localhost:$HTTPS_PORT
STACK_HTTP_URL=http://localhost:$HTTP_PORT
STACK_CA=$STACK/tls/fullchain.pem
STACK_DB_URL=$DIRECT_URL
STACK_JOBS=procrastinate
STACK_DIR=$STACK
ENV

if ((SMOKE)); then
    say "smoke test"
    "$PY" "$ROOT/deploy/smoke.py"
fi
