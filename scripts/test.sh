#!/usr/bin/env bash
# Runs upshift's tests: unit tests beside the code (src/**/*.test.ts) and real-etcd tests (test/**/*.test.ts).
# Installs the etcd versions the tests use through upshift's own installer first (cached, checksum-verified).
#   scripts/test.sh          everything
#   scripts/test.sh unit     unit tests only (no etcd needed)
set -euo pipefail
cd "$(dirname "$0")/.."

ETCD_TEST_VERSIONS="${UPSHIFT_TEST_VERSIONS:-3.3.25 3.4.23 3.5.16 3.5.30}"
export UPSHIFT_TEST_BIN_HOME="${UPSHIFT_TEST_BIN_HOME:-${UPSHIFT_HOME:-$HOME/.upshift}}"

files=()
while IFS= read -r f; do files+=("$f"); done < <(find src -name '*.test.ts' | sort)
if [ "${1:-all}" != "unit" ]; then
  echo "== installing etcd ${ETCD_TEST_VERSIONS} (upshift etcd install, cached in ${UPSHIFT_TEST_BIN_HOME})" >&2
  UPSHIFT_HOME="$UPSHIFT_TEST_BIN_HOME" node bin/upshift.js etcd install ${ETCD_TEST_VERSIONS} --source auto >&2
  while IFS= read -r f; do files+=("$f"); done < <(find test -name '*.test.ts' | sort)
fi

exec node --import tsx --test --test-concurrency="${UPSHIFT_TEST_CONCURRENCY:-2}" --test-reporter=spec "${files[@]}"
