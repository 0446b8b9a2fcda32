#!/usr/bin/env bash
# Generates TypeScript for proto/*.proto with ts-proto into src/api/grpc/generated/.
#   scripts/proto-gen.sh           regenerate in place (the output is committed)
#   scripts/proto-gen.sh --check   regenerate into a temporary directory and fail on any difference
# Needs protoc and the google/protobuf well-known types (Debian: protobuf-compiler libprotobuf-dev).
set -euo pipefail
cd "$(dirname "$0")/.."

out=src/api/grpc/generated
plugin=node_modules/.bin/protoc-gen-ts_proto
# Why these options:
#   outputServices=grpc-js       typed grpc-js service definition, server interface and client class
#   env=node,esModuleInterop     Buffer for bytes; default imports that work under NodeNext
#   useOptionals=messages        message fields are `field?:`, so partial literals type-check
#   oneof=unions-value           oneofs become { $case, value } discriminated unions
#   importSuffix=.js             NodeNext ESM needs explicit extensions
#   useDate=false                Timestamp stays { seconds, nanos }: no precision loss, no Date at the boundary
#   annotateFilesWithVersion=false  no protoc/ts-proto versions in headers, so --check does not fail
#                                   only because CI's protoc differs in patch version
opts=outputServices=grpc-js,esModuleInterop=true,env=node,useOptionals=messages,oneof=unions-value
opts+=,importSuffix=.js,useDate=false,annotateFilesWithVersion=false

command -v protoc >/dev/null || { echo "proto-gen: protoc not found (apt-get install protobuf-compiler)" >&2; exit 2; }
[ -x "$plugin" ] || { echo "proto-gen: $plugin missing (npm ci)" >&2; exit 2; }
wkt=""
for dir in ${PROTOC_INCLUDE:-} /usr/include /usr/local/include; do
  if [ -f "$dir/google/protobuf/timestamp.proto" ]; then wkt=$dir; break; fi
done
[ -n "$wkt" ] || {
  echo "proto-gen: google/protobuf/*.proto not found (apt-get install libprotobuf-dev, or set PROTOC_INCLUDE)" >&2
  exit 2
}

generate() {
  mkdir -p "$1"
  protoc --plugin="protoc-gen-ts_proto=$plugin" --ts_proto_out="$1" --ts_proto_opt="$opts" \
    -I proto -I "$wkt" proto/*.proto
}

if [ "${1:-}" = "--check" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  generate "$tmp"
  if ! diff -r "$tmp" "$out"; then
    echo "proto:check: $out is out of date with proto/ (run npm run proto and commit the result)" >&2
    exit 1
  fi
  echo "proto:check: $out matches proto/"
else
  rm -rf "$out"
  generate "$out"
  echo "proto-gen: wrote $out"
fi
