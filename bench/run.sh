#!/usr/bin/env bash
# make bench: every benchmark, printed as tables of figures.
set -u
build=${1:-build}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bash "$here/ingest.sh" "$build" 1000
bash "$here/form.sh" "$build" 5000
# Theme classification: per-theme precision, recall and F1, macro-F1 of the
# shipped theme file on the held-out part of the labelled dev set
# (tests/data/devset), then responses/s on ~1 KB responses on one thread.
build_abs=$(cd "$build" && pwd)
(cd "$here/.." && "$build_abs/bench/classify_eval" --themes config/themes/london-pcp.themes --devset tests/data/devset/responses.jsonl --split heldout)
"$build_abs/bench/campaign_bench"; (cd "$here/.." && "$build_abs/bench/classify_eval" --themes config/themes/london-pcp.themes --devset tests/data/devset/responses.jsonl --split heldout --model --seconds 0 && "$build_abs/bench/classify_eval" --themes config/themes/london-pcp.themes --devset tests/data/devset/responses.jsonl --split heldout --respondent --seconds 0)
bash "$here/summary.sh" "$build"
# Ingest side by side with mbsync, fetchmail and the wire limit; idle costs;
# writes bench/RESULTS.md.
bash "$here/compare.sh" "$build" 5000 20000
