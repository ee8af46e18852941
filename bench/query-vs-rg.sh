#!/bin/bash
# query-vs-rg.sh [CORPUS] — whole-process query latency of notes-search
# (human and vimgrep formats) next to `rg -i` for the same words over the
# same folder, measured in one run with hyperfine (warm cache).  Prints a
# table of p50 per query and the median ratio.  rg gets the cheaper job:
# files containing ANY of the words (`rg -i -l -e w1 -e w2 …`).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
corpus=$(realpath "${1:-$top/../shared/corpus}")
runs=${RUNS:-20}
for t in hyperfine rg jq; do
	command -v "$t" >/dev/null || { echo "bench: needs $t (apt-get install hyperfine ripgrep jq)" >&2; exit 2; }
done
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
db="$work/index.db"
"$top/build/notes-index" -q --db "$db" "$corpus"
queries=(
	"graceful termination" "kubelet" "pod disruption budget" "scheduler" "etcd backup"
	"persistent volume claim" "network policy" "rolling update" "service account token"
	"node affinity" "horizontal pod autoscaler" "container runtime" "ingress controller"
	"resource quota" "daemonset" "kube-proxy" "admission webhook" "custom resource definition"
	"liveness probe" "cluster upgrade"
)
printf '| query | notes-search (human) p50 ms | notes-search (vimgrep) p50 ms | rg -i p50 ms | rg / notes-search |\n|---|---|---|---|---|\n'
ratios=()
for q in "${queries[@]}"; do
	rgargs=""
	for w in $q; do rgargs="$rgargs -e $w"; done
	hyperfine -N -w 3 -r "$runs" --export-json "$work/h.json" \
		"$top/build/notes-search --db $db --color never $q" \
		"$top/build/notes-search --db $db --vimgrep $q" \
		"rg -i -l $rgargs $corpus" >/dev/null 2>&1
	p50() { jq -r ".results[$1].times | sort | .[(length/2|floor)] * 1000" "$work/h.json"; }
	h=$(p50 0); v=$(p50 1); r=$(p50 2)
	ratio=$(echo "$r / $h" | bc -l)
	ratios+=("$ratio")
	printf '| %s | %.2f | %.2f | %.2f | %.1f× |\n' "$q" "$h" "$v" "$r" "$ratio"
done
med=$(printf '%s\n' "${ratios[@]}" | sort -g | awk '{a[NR]=$1} END {print (a[int((NR+1)/2)] + a[int(NR/2)+1]) / 2}')
printf '\nmedian ratio rg -i / notes-search: %.1f× (%d queries, %d runs each, %s)\n' "$med" "${#queries[@]}" "$runs" "$(date -u +%F)"
