#!/usr/bin/env bash
# Runs every GoogleTest binary of a build tree and ends with one summary line:
# "N passed, N failed". Exit status is non-zero when any test failed or a
# binary crashed.
set -u
build="${1:-build}"
passed=0; failed=0; broken=()
for bin in "$build"/tests/*_tests; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin")
  echo "=== $name"
  log=$(mktemp)
  timeout "${TEST_TIMEOUT:-900}" "$bin" --gtest_brief=1 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
  f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  if [ "$rc" -ne 0 ] && [ -z "$f" ]; then broken+=("$name (exit $rc)"); failed=$((failed + 1)); fi
  rm -f "$log"
done
for b in "${broken[@]+"${broken[@]}"}"; do echo "binary failed without a test summary: $b"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
