#!/usr/bin/env bash
# Measure a theme file on the held-out split of the labelled development set
# (bench/classify_eval) and record the result beside it as THEMES.accuracy,
# which the summary's methods note quotes with this provenance. Run it after
# changing a theme file, and commit the result with it.
#   bash bench/record-accuracy.sh [BUILD] [THEMES]
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
themes=${2:-config/themes/london-pcp.themes}
build=$(cd "$build" && pwd)
cd "$here"
out=$("$build/bench/classify_eval" --themes "$themes" \
	--devset tests/data/devset/responses.jsonl --split heldout --seconds 0)
macro=$(sed -n 's/^macro-F1 \([0-9.]*\) .*/\1/p' <<<"$out")
micro=$(sed -n 's/.*micro-F1 \([0-9.]*\) .*/\1/p' <<<"$out")
items=$(grep -c '"split": *"heldout"' tests/data/devset/responses.jsonl || true)
set_id=$(sed -n '/^\[set\]/,/^\[/s/^id *= *//p' "$themes" | head -n 1)
commit=$(git log -1 --format=%h -- "$themes" 2>/dev/null || echo unknown)
cat >"${themes%.themes}.accuracy" <<ACC
# Written by bench/record-accuracy.sh; the summary quotes it. Re-measure
# after every change to the theme file (the theme_set id must match).
[accuracy]
theme_set = $set_id
macro_f1 = $macro
micro_f1 = $micro
devset = the held-out split of the project's labelled development set ($items responses)
measured = $(date -u +%Y-%m-%d) by bench/classify_eval, theme file at commit $commit
ACC
cat "${themes%.themes}.accuracy"
