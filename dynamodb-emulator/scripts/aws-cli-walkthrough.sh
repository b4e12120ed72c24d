#!/usr/bin/env bash
# Drives the runnable emulator with the AWS CLI: create-table, put-item, query, update-item, transact-write-items,
# then checks what came back. Needs the AWS CLI (v1 or v2) and a built jar:
#   ./mvnw -B -pl dynamodb-emulator -am package -DskipTests && dynamodb-emulator/scripts/aws-cli-walkthrough.sh
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
jar="$here/target/dynamodb-emulator.jar"
[ -f "$jar" ] || { echo "build the jar first: ./mvnw -B -pl dynamodb-emulator -am package -DskipTests" >&2; exit 2; }
command -v aws > /dev/null || { echo "the AWS CLI is not installed" >&2; exit 2; }

log="$(mktemp)"
java -jar "$jar" --port 0 > "$log" 2>&1 &
pid=$!
trap 'kill $pid 2> /dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do grep -q "listening on" "$log" && break; sleep 0.1; done
endpoint="$(grep -o 'http://127.0.0.1:[0-9]*' "$log")"
echo "emulator at $endpoint"

export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
ddb() { aws dynamodb --endpoint-url "$endpoint" --output json "$@"; }
expect() { # expect <what> <expected> <actual>
  if [ "$2" != "$3" ]; then echo "FAIL: $1: expected '$2', got '$3'" >&2; exit 1; fi
  echo "ok: $1"
}

ddb create-table --table-name Orders --billing-mode PAY_PER_REQUEST \
  --attribute-definitions AttributeName=customer,AttributeType=S AttributeName=orderId,AttributeType=S \
  --key-schema AttributeName=customer,KeyType=HASH AttributeName=orderId,KeyType=RANGE > /dev/null
ddb put-item --table-name Orders --item '{"customer":{"S":"alice"},"orderId":{"S":"o1"},"amount":{"N":"30"}}'
ddb put-item --table-name Orders --item '{"customer":{"S":"alice"},"orderId":{"S":"o2"},"amount":{"N":"5"}}'
expect "query count" 2 "$(ddb query --table-name Orders --key-condition-expression 'customer = :c' \
  --expression-attribute-values '{":c":{"S":"alice"}}' --query Count)"
expect "update returns the new amount" '"35"' "$(ddb update-item --table-name Orders \
  --key '{"customer":{"S":"alice"},"orderId":{"S":"o1"}}' --update-expression 'SET amount = amount + :d' \
  --expression-attribute-values '{":d":{"N":"5"}}' --return-values UPDATED_NEW --query Attributes.amount.N)"
ddb transact-write-items --transact-items '[
  {"Put": {"TableName": "Orders", "Item": {"customer": {"S": "bob"}, "orderId": {"S": "o3"}, "amount": {"N": "7"}},
           "ConditionExpression": "attribute_not_exists(orderId)"}},
  {"Update": {"TableName": "Orders", "Key": {"customer": {"S": "alice"}, "orderId": {"S": "o2"}},
              "UpdateExpression": "SET amount = amount - :d", "ExpressionAttributeValues": {":d": {"N": "5"}}}}]'
expect "the transaction applied" '"0"' "$(ddb get-item --table-name Orders \
  --key '{"customer":{"S":"alice"},"orderId":{"S":"o2"}}' --query Item.amount.N)"
if ddb transact-write-items --transact-items '[{"ConditionCheck": {"TableName": "Orders",
    "Key": {"customer": {"S": "bob"}, "orderId": {"S": "o3"}}, "ConditionExpression": "amount > :big",
    "ExpressionAttributeValues": {":big": {"N": "100"}}}}]' 2> "$log.err"; then
  echo "FAIL: a failing condition check was applied" >&2; exit 1
fi
expect "a failed condition cancels the transaction" 1 "$(grep -c TransactionCanceledException "$log.err")"
rm -f "$log.err"
echo "all AWS CLI checks passed"
