#!/usr/bin/env bash
# Times `tongbao serve` from saving one period's data.toml to the changed
# page being served, on a generated site of N periods (default 1000):
# eleven edits, one period each, and their median.
#
#   bench/serve-latency.sh          # 1000 periods
#   bench/serve-latency.sh 2000
set -euo pipefail
cd "$(dirname "$0")/.."
periods=${1:-1000}
command -v curl >/dev/null || { echo "serve-latency.sh: curl is missing" >&2; exit 1; }
cargo build --release --quiet --bin tongbao --example gen-site
target=${CARGO_TARGET_DIR:-target}
work=$(mktemp -d "${TMPDIR:-/tmp}/tongbao-serve.XXXXXX")
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$target/release/examples/gen-site" --periods "$periods" "$work/site"
"$target/release/tongbao" serve --root "$work/site" --port 0 >"$work/out" 2>"$work/err" &
server=$!
until grep -q 'http://' "$work/out" 2>/dev/null; do sleep 0.1; done
address=$(grep -o '127.0.0.1:[0-9]*' "$work/out")
slug=$(ls "$work/site/content" | sed -n "$((periods / 2))p")
data="$work/site/content/$slug/data.toml"

times=()
for i in $(seq 1 11); do
  # 政务要闻 (news) is printed in the notice's text.
  news=$((170 + i))
  started=$(date +%s%N)
  sed -i "s/^news = [0-9]*/news = $news/" "$data"
  until curl -s "http://$address/$slug/" | grep -q "政务要闻 $news 条"; do sleep 0.002; done
  times+=($(( ($(date +%s%N) - started) / 1000000 )))
  sleep 0.3
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
echo "saved → served (ms): $(echo $sorted)"
echo "median: $(echo "$sorted" | sed -n 6p) ms"
tail -4 "$work/out"; tail -5 "$work/err"
