#!/usr/bin/env bash
# GetEssay over HTTP/JSON against the same call over gRPC, in one run, with
# one load tool (h2load, from Debian's nghttp2-client): HTTP/1.1 for JSON,
# HTTP/2 (h2c) with a framed protobuf body for gRPC. Prints both rates and
# their ratio. Not part of CI.
#
#   benches/http_vs_grpc.sh [CLIENTS] [REQUESTS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-64}
requests=${2:-200000}
rounds=${3:-3}
command -v h2load >/dev/null || { echo "needs h2load: apt-get install nghttp2-client" >&2; exit 2; }
cargo build --release --quiet --bin essayd
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
grpc_port=$((20000 + RANDOM % 20000)); http_port=$((grpc_port + 1))
target/release/essayd --data-dir "$dir/data" --insecure-no-auth --listen 127.0.0.1:$grpc_port \
  --http-listen 127.0.0.1:$http_port 2>"$dir/log" &
pid=$!
for _ in $(seq 100); do curl -sf -o /dev/null 127.0.0.1:$http_port/v1/openapi.json && break; sleep 0.1; done
text=$(printf 'Soviet foreign policy between 1925 and 1945 was largely successful. %.0s' $(seq 40))
id=$(curl -s -X POST 127.0.0.1:$http_port/v1/essays -d "{\"title\": \"bench\", \"text\": \"$text\"}" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["essay"]["id"])')
# The gRPC request: GetEssayRequest{id} (field 1, a string), framed.
python3 - "$id" "$dir/get.bin" <<'PY'
import struct, sys
ident = sys.argv[1].encode()
msg = b"\x0a" + bytes([len(ident)]) + ident
open(sys.argv[2], "wb").write(b"\x00" + struct.pack(">I", len(msg)) + msg)
PY
rate() { sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p'; }
echo "GetEssay of a $(( ${#text} / 1000 )) KB essay, $clients clients, $requests requests a round"
for round in $(seq "$rounds"); do
  grpc=$(h2load -n "$requests" -c "$clients" -m 1 -d "$dir/get.bin" \
    -H 'content-type: application/grpc' -H 'te: trailers' \
    "http://127.0.0.1:$grpc_port/essay.v1.EssayService/GetEssay" | rate)
  http=$(h2load --h1 -n "$requests" -c "$clients" "http://127.0.0.1:$http_port/v1/essays/$id" | rate)
  python3 -c "print(f'round $round: gRPC {float(\"$grpc\"):,.0f} req/s, HTTP/JSON {float(\"$http\"):,.0f} req/s, ratio {float(\"$http\")/float(\"$grpc\"):.2f}')"
done
