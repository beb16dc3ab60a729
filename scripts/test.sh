#!/usr/bin/env bash
# Runs upshift's tests: unit tests beside the code (src/**/*.test.ts) and real-etcd tests (test/**/*.test.ts).
# Installs the etcd versions the tests use through upshift's own installer first (cached, checksum-verified).
#   scripts/test.sh          everything
#   scripts/test.sh unit     unit tests only (no etcd needed)
set -euo pipefail
cd "$(dirname "$0")/.."

# Prebuilt versions (Debian's mirror, else GitHub) and the newest 3.5 (>= the 3.5.32 floor before 3.6), 3.6 and 3.7,
# built from etcd's Go modules (--source go; Go's module and build caches make a second run quick).
ETCD_TEST_VERSIONS="${UPSHIFT_TEST_VERSIONS:-3.3.25 3.4.23 3.5.16 3.5.30}"
ETCD_TEST_GO_VERSIONS="${UPSHIFT_TEST_GO_VERSIONS-3.5.36 3.6.17 3.7.4}"
export UPSHIFT_TEST_BIN_HOME="${UPSHIFT_TEST_BIN_HOME:-${UPSHIFT_HOME:-$HOME/.upshift}}"

files=()
while IFS= read -r f; do files+=("$f"); done < <(find src -name '*.test.ts' | sort)
if [ "${1:-all}" != "unit" ]; then
  echo "== installing etcd ${ETCD_TEST_VERSIONS} (upshift etcd install, cached in ${UPSHIFT_TEST_BIN_HOME})" >&2
  UPSHIFT_HOME="$UPSHIFT_TEST_BIN_HOME" node bin/upshift.js etcd install ${ETCD_TEST_VERSIONS} --source auto >&2
  if [ -n "${ETCD_TEST_GO_VERSIONS}" ]; then
    if command -v go >/dev/null 2>&1; then
      echo "== building etcd ${ETCD_TEST_GO_VERSIONS} from Go modules (upshift etcd install --source go; minutes on a cold Go cache)" >&2
      start=$SECONDS
      UPSHIFT_HOME="$UPSHIFT_TEST_BIN_HOME" node bin/upshift.js etcd install ${ETCD_TEST_GO_VERSIONS} --source go >&2
      echo "== etcd ${ETCD_TEST_GO_VERSIONS}: ready in $((SECONDS - start)) s" >&2
    else
      echo "== no Go toolchain: etcd ${ETCD_TEST_GO_VERSIONS} not built; the tests that need them are skipped" >&2
    fi
  fi
  while IFS= read -r f; do files+=("$f"); done < <(find test -name '*.test.ts' | sort)
fi

exec node --import tsx --test --test-concurrency="${UPSHIFT_TEST_CONCURRENCY:-2}" --test-reporter=spec "${files[@]}"
