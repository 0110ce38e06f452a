#!/bin/sh
# Container entry point: check the production settings, then one of two roles (docs/JOBS.md):
#   (no argument) web:  migrate, load reference data, serve with uvicorn workers;
#   worker:             run the job queue's tasks (python -m portal.worker); start one or more beside the web.
set -eu
case "${PORTAL_DATABASE_URL:-}" in
  postgresql://*|postgres://*) ;;
  *) echo "PORTAL_DATABASE_URL must point at PostgreSQL (postgresql://user:password@host:5432/db)" >&2; exit 64 ;;
esac
# Every worker and every replica must sign with the same key; a key generated per container would not be.
if [ -z "${PORTAL_SECRET_KEY:-}" ]; then
  echo "PORTAL_SECRET_KEY must be set (e.g. python3 -c 'import secrets; print(secrets.token_hex(32))')" >&2
  exit 64
fi
cd "$(dirname "$0")/.."
if [ "${1:-web}" = "worker" ]; then
  exec python -m portal.worker
fi
python -m piccolo.main migrations forwards all
python -m seeds reference
exec uvicorn --factory portal.app:create_app --host 0.0.0.0 --port "${PORT:-8000}" \
  --workers "${WEB_CONCURRENCY:-4}" --proxy-headers --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}" \
  --loop uvloop --http httptools --log-config scripts/uvicorn-logging.json
