#!/usr/bin/env bash
# Runs every GoogleTest binary of a build tree and ends with one summary line:
# "N passed, N failed". Exit status is non-zero when any test failed or a
# binary crashed.
set -u
build="${1:-build}"
# Harmless outside TSan builds; inherited by the servers tests spawn.
export TSAN_OPTIONS="suppressions=$(cd "$(dirname "$0")/.." && pwd)/tests/tsan.supp ${TSAN_OPTIONS:-}"
passed=0; failed=0; skipped=0; broken=()
for bin in "$build"/tests/*_tests; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin")
  echo "=== $name"
  log=$(mktemp)
  timeout "${TEST_TIMEOUT:-900}" "$bin" --gtest_brief=1 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  # Brief mode prints no failure count: failed = ran - passed - skipped.
  ran=$(sed -n 's/^\[==========\] \([0-9]*\) tests\{0,1\} from.*ran.*/\1/p' "$log" | tail -1)
  p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
  s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
  f=$(( ${ran:-0} - ${p:-0} - ${s:-0} ))
  passed=$((passed + ${p:-0})); failed=$((failed + f)); skipped=$((skipped + ${s:-0}))
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then broken+=("$name (exit $rc)"); failed=$((failed + 1)); fi
  rm -f "$log"
done
for b in "${broken[@]+"${broken[@]}"}"; do echo "binary failed without a test summary: $b"; done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
