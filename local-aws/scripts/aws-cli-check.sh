#!/usr/bin/env bash
# Drives the runnable jar with the AWS CLI, one call or more per service, as a LocalStack user would, and fails on
# the first answer that is not what AWS would give. Needs the AWS CLI (v1 or v2) and a built jar:
#   ./mvnw -q -B -pl local-aws -am -DskipTests install && local-aws/scripts/aws-cli-check.sh
# Prints the time from starting the JVM to the first answer of every service (the first run of a new jar writes the
# class-data-sharing archive of scripts/local-aws on exit; later runs start faster).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/../target/local-aws.jar"
command -v aws >/dev/null || { echo "aws-cli-check: the AWS CLI is not installed" >&2; exit 2; }
[ -f "$jar" ] || { echo "aws-cli-check: build $jar first" >&2; exit 2; }
port="${PORT:-45660}"
export AWS_ENDPOINT_URL="http://localhost:$port" AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
export AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=""
log="$(mktemp)"
start=$(date +%s%N)
LOCAL_AWS_JAR="$jar" "$here/local-aws" --port "$port" >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f "$log" /tmp/aws-cli-check.txt /tmp/aws-cli-check.bin' EXIT
until curl -sf "http://localhost:$port/_localstack/health" >/dev/null; do sleep 0.01; done
# The first answer of each service, unsigned (open mode), so that the CLI's own start-up is not counted.
curl -sf -X POST "http://localhost:$port/" -H 'X-Amz-Target: TrentService.ListKeys' \
  -H 'Content-Type: application/x-amz-json-1.1' -d '{}' >/dev/null
curl -sf -X POST "http://localhost:$port/" -H 'X-Amz-Target: DynamoDB_20120810.ListTables' \
  -H 'Content-Type: application/x-amz-json-1.0' -d '{}' >/dev/null
curl -sf "http://localhost:$port/" >/dev/null
curl -sf -X POST "http://localhost:$port/" -d 'Action=GetCallerIdentity&Version=2011-06-15' >/dev/null
echo "first answer of every service (kms, dynamodb, s3, sts) $(( ($(date +%s%N) - start) / 1000000 )) ms after the JVM started"

expect() { # expect <what> <expected> <actual>
  if [ "$2" != "$3" ]; then echo "FAIL $1: expected '$2', got '$3'" >&2; exit 1; fi
  echo "ok   $1"
}
expect "sts get-caller-identity" "arn:aws:iam::000000000000:root" \
  "$(aws sts get-caller-identity --query Arn --output text)"
role=$(aws sts assume-role --role-arn arn:aws:iam::000000000000:role/cli --role-session-name cli \
  --query AssumedRoleUser.Arn --output text)
expect "sts assume-role" "arn:aws:sts::000000000000:assumed-role/cli/cli" "$role"

key=$(aws kms create-key --description cli --tags TagKey=_custom_id_,TagValue=11111111-2222-4333-8444-555555555555 \
  --query KeyMetadata.KeyId --output text)
expect "kms create-key with _custom_id_" "11111111-2222-4333-8444-555555555555" "$key"
aws kms create-alias --alias-name alias/cli --target-key-id "$key"
printf hello > /tmp/aws-cli-check.txt
# Blobs through files: CLI v1 passes a blob argument's text as the bytes themselves, v2 reads it as base64.
aws kms encrypt --key-id alias/cli --plaintext fileb:///tmp/aws-cli-check.txt --query CiphertextBlob \
  --output text | base64 -d > /tmp/aws-cli-check.bin
expect "kms encrypt/decrypt" "aGVsbG8=" \
  "$(aws kms decrypt --ciphertext-blob fileb:///tmp/aws-cli-check.bin --query Plaintext --output text)"
expect "kms describe-key alias/aws/s3 (AWS managed key)" "AWS" \
  "$(aws kms describe-key --key-id alias/aws/s3 --query KeyMetadata.KeyManager --output text 2>/dev/null || echo missing)"

aws dynamodb create-table --table-name cli-orders --attribute-definitions AttributeName=id,AttributeType=S \
  --key-schema AttributeName=id,KeyType=HASH --billing-mode PAY_PER_REQUEST >/dev/null
aws dynamodb put-item --table-name cli-orders --item '{"id":{"S":"o-1"},"total":{"N":"19.90"}}'
expect "dynamodb put/get" "19.9" \
  "$(aws dynamodb get-item --table-name cli-orders --key '{"id":{"S":"o-1"}}' --query Item.total.N --output text)"

aws s3 mb s3://cli-bucket >/dev/null
head -c 9000000 /dev/urandom > /tmp/aws-cli-check.txt
aws s3 cp /tmp/aws-cli-check.txt s3://cli-bucket/big.bin >/dev/null   # multipart at the CLI's 8 MiB threshold
expect "s3 cp up and down (multipart)" "$(sha256sum < /tmp/aws-cli-check.txt)" \
  "$(aws s3 cp s3://cli-bucket/big.bin - | sha256sum)"
expect "s3 ls" "1" "$(aws s3 ls s3://cli-bucket/ | wc -l | tr -d ' ')"
url=$(aws s3 presign s3://cli-bucket/big.bin --expires-in 60)
expect "s3 presign" "9000000" "$(curl -sf "$url" | wc -c | tr -d ' ')"

set +e
out=$(aws sqs list-queues --endpoint-url "$AWS_ENDPOINT_URL" 2>&1)
set -e
case "$out" in
  *"NotImplemented"*"'sqs' is not emulated"*) echo "ok   sqs refused as not emulated" ;;
  *) echo "FAIL sqs: $out" >&2; exit 1 ;;
esac
echo "aws-cli-check: every check passed"
