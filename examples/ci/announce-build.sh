#!/usr/bin/env bash
# Announces a build to Stagecoach through the build-completed service's signed webhook (POST /builds): no broker
# password in CI, only the webhook secret. Needs bash, openssl and curl.
#
#   STAGECOACH_WEBHOOK_URL     e.g. https://stagecoach-dev.example.com/builds
#   STAGECOACH_WEBHOOK_SECRET  the key both sides sign with (Secret stagecoach-build-completed-webhook, hmac-secret)
#   SERVICE VERSION IMAGE DIGEST COMMIT AUTHOR   the build: image without tag or digest, digest sha256:<64 hex>
#   BUILD_URL                  optional: where the build ran
#   DELIVERY                   optional: the delivery id; new for each build announced (default: random). Reuse it
#                              only to retry a 503 of the same announcement.
#
# Exit 0 with the service's answer (run id, event id) on 202; 1 with the answer and what to do otherwise.
set -euo pipefail

for name in STAGECOACH_WEBHOOK_URL STAGECOACH_WEBHOOK_SECRET SERVICE VERSION IMAGE DIGEST COMMIT AUTHOR; do
  if [ -z "${!name:-}" ]; then
    echo "announce-build: $name is not set (see the top of $0)" >&2
    exit 2
  fi
done

# JSON strings: escape backslashes and double quotes (the fields are names, versions, ids and URLs)
json() { local s=${1//\\/\\\\}; printf '"%s"' "${s//\"/\\\"}"; }

body="{\"service\":$(json "$SERVICE"),\"version\":$(json "$VERSION"),\"image\":$(json "$IMAGE"),"
body+="\"digest\":$(json "$DIGEST"),\"commit\":$(json "$COMMIT"),\"author\":$(json "$AUTHOR")"
if [ -n "${BUILD_URL:-}" ]; then
  body+=",\"buildUrl\":$(json "$BUILD_URL")"
fi
body+="}"

delivery=${DELIVERY:-$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')}
timestamp=$(date +%s)
# the signature: HMAC-SHA256 with the secret of "v1", LF, the timestamp, LF, the delivery id, LF, the raw body
signature=$(printf 'v1\n%s\n%s\n%s' "$timestamp" "$delivery" "$body" \
  | openssl dgst -sha256 -hmac "$STAGECOACH_WEBHOOK_SECRET" | sed 's/^.* //')

answer=$(mktemp)
trap 'rm -f "$answer"' EXIT
status=$(curl -sS -o "$answer" -w '%{http_code}' -X POST "$STAGECOACH_WEBHOOK_URL" \
  -H 'Content-Type: application/json' \
  -H "X-Stagecoach-Delivery: $delivery" \
  -H "X-Stagecoach-Timestamp: $timestamp" \
  -H "X-Stagecoach-Signature: v1=$signature" \
  --data-binary "$body")

case "$status" in
  202) echo "announced $SERVICE $VERSION (delivery $delivery): $(cat "$answer")" ;;
  401) echo "refused (401): the signature is wrong or the clock is off by more than 5 minutes; check the secret" \
         "and the runner's time: $(cat "$answer")" >&2; exit 1 ;;
  409) echo "refused (409): delivery $delivery was announced before; a new build needs a new delivery id:" \
         "$(cat "$answer")" >&2; exit 1 ;;
  503) echo "not taken (503): the service could not reach the broker; retry with DELIVERY=$delivery:" \
         "$(cat "$answer")" >&2; exit 1 ;;
  *) echo "refused ($status): $(cat "$answer")" >&2; exit 1 ;;
esac
