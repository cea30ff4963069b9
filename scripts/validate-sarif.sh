#!/usr/bin/env bash
# Validate SARIF logs as GitHub code scanning would ingest them: Microsoft's SARIF multitool with the SARIF and
# GitHub Advanced Security rule kinds (knowledge/sarif-action-cbom-tui.md §1.11).
#   scripts/validate-sarif.sh FILE.sarif...
# Prints the multitool's errors and warnings (notes are counted); exits 1 when any file has an error-level finding or cannot be read,
# 0 otherwise (warnings and notes do not fail). GH1004 (array sizes) encodes GitHub's old display defaults
# (5 runs, 1000 results…), below today's documented limits, so it never fails the check.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 FILE.sarif..." >&2
  exit 2
fi
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The npm shim (node_modules/.bin/sarif-multitool, and npx) spawns the tool through /bin/sh with its arguments
# joined by spaces, so "Sarif;Ghas" is cut at the ';' and 'Ghas' runs as a command of its own. Resolve the
# platform binary the shim would start and call it directly, arguments intact.
tool="$(cd "$repo" && node -p "require('@microsoft/sarif-multitool')")"
if [ ! -x "$tool" ]; then
  echo "validate-sarif: SARIF multitool not found at $tool (npm ci installs it)" >&2
  exit 2
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
failed=0
for file in "$@"; do
  if [ ! -f "$file" ]; then
    echo "$file: no such file"
    failed=1
    continue
  fi
  # `validate` silently skips every rule when it cannot deserialize the log (e.g. a URI .NET cannot parse,
  # such as 'a:b/c') and still reports success; `rewrite` fails loudly on the same input. So first prove the
  # log is readable. (List-valued options come after the file: they swallow the values that follow them.)
  if ! "$tool" rewrite "$file" --output "$tmp/rewrite.sarif" --log ForceOverwrite >"$tmp/rewrite.txt" 2>&1; then
    echo "$file: error: the SARIF multitool cannot read this log:"
    grep -m1 -E 'Exception|error' "$tmp/rewrite.txt" | sed 's/^/  /' || sed 's/^/  /' "$tmp/rewrite.txt"
    failed=1
    continue
  fi
  rm -f "$tmp/validate.sarif"
  if ! "$tool" validate "$file" --rule-kind "Sarif;Ghas" --level "Error;Warning;Note" \
    --output "$tmp/validate.sarif" --log ForceOverwrite >"$tmp/validate.txt" 2>&1; then
    echo "$file: error: the SARIF multitool failed:"
    sed 's/^/  /' "$tmp/validate.txt"
    failed=1
    continue
  fi
  # The console lines are for people; the decision comes from the multitool's own SARIF log.
  if ! node - "$file" "$tmp/validate.sarif" "$tmp/validate.txt" <<'NODE'
const fs = require('node:fs');
const [file, logPath, consolePath] = process.argv.slice(2);
const log = JSON.parse(fs.readFileSync(logPath, 'utf8'));
const counts = { error: 0, warning: 0, note: 0, advisory: 0 };
for (const run of log.runs ?? []) {
  for (const r of run.results ?? []) {
    const level = r.level ?? 'warning'; // SARIF default level
    if (r.ruleId === 'GH1004') counts.advisory++;
    else if (level in counts) counts[level]++;
  }
  for (const inv of run.invocations ?? []) {
    if (inv.executionSuccessful === false) counts.error++;
    for (const n of [...(inv.toolExecutionNotifications ?? []), ...(inv.toolConfigurationNotifications ?? [])]) {
      if ((n.level ?? 'warning') === 'error') counts.error++;
      console.log(`${file}: multitool ${n.level ?? 'warning'}: ${n.message?.text ?? JSON.stringify(n.message)}`);
    }
  }
}
for (const line of fs.readFileSync(consolePath, 'utf8').split('\n')) {
  // notes (SARIF2xxx style advice: snippets, rule id format, unreachable URLs offline) are counted, not printed
  if (/: (error|warning) [A-Z]+\d+:/.test(line)) console.log(line.includes('GH1004') ? `${line} (advisory)` : line);
}
console.log(`${file}: ${counts.error} error(s), ${counts.warning} warning(s), ${counts.note} note(s), ${counts.advisory} advisory GH1004`);
process.exit(counts.error > 0 ? 1 : 0);
NODE
  then
    failed=1
  fi
done
exit "$failed"
