#!/usr/bin/env python3
"""Drives the runnable jar with boto3, as a LocalStack suite in Python would, through a plain `java -jar` (which
serves from a child JVM with its class-data-sharing archive), and fails on the first answer that is not what AWS
would give. Needs Python 3 with boto3 and a built jar:
    ./mvnw -q -B -pl local-aws -am -DskipTests install && python3 local-aws/scripts/boto3-check.py
Each call is checked; the script exits 0 only when every check passed, and stops the jar (and its child) either way.
"""
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
JAR = os.path.join(HERE, "..", "target", "local-aws.jar")
PORT = int(os.environ.get("PORT", "45661"))
ENDPOINT = "http://localhost:%d" % PORT


def ok(what):
    print("ok   " + what)


def fail(what, detail):
    print("FAIL " + what + ": " + str(detail))
    sys.exit(1)


def expect(what, expected, actual):
    if expected != actual:
        fail(what, "expected %r, got %r" % (expected, actual))
    ok(what)


def error_code(call):
    try:
        call()
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    return None, 200


def client(service):
    return boto3.client(service, endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(s3={"addressing_style": "path"},
                                                                    retries={"max_attempts": 1}))


def checks(workdir):
    kms = client("kms")
    key = kms.create_key(Tags=[{"TagKey": "_custom_id_", "TagValue": "00000000-1111-2222-3333-444444444444"}])
    expect("kms create-key with LocalStack's _custom_id_", "00000000-1111-2222-3333-444444444444",
           key["KeyMetadata"]["KeyId"])
    blob = kms.encrypt(KeyId=key["KeyMetadata"]["Arn"], Plaintext=b"boto3 secret",
                       EncryptionContext={"purpose": "check"})["CiphertextBlob"]
    expect("kms encrypt/decrypt", b"boto3 secret",
           kms.decrypt(CiphertextBlob=blob, EncryptionContext={"purpose": "check"})["Plaintext"])
    expect("kms decrypt with another context", ("InvalidCiphertextException", 400),
           error_code(lambda: kms.decrypt(CiphertextBlob=blob, EncryptionContext={"purpose": "other"})))
    expect("kms describe-key alias/aws/s3", "AWS",
           kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["KeyManager"])

    ddb = client("dynamodb")
    ddb.create_table(TableName="boto3-check", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    ddb.put_item(TableName="boto3-check", Item={"pk": {"S": "ü-1"}, "n": {"N": "42.50"}})
    expect("dynamodb put/get (number normalized)", {"pk": {"S": "ü-1"}, "n": {"N": "42.5"}},
           ddb.get_item(TableName="boto3-check", Key={"pk": {"S": "ü-1"}})["Item"])
    expect("dynamodb conditional put refused", ("ConditionalCheckFailedException", 400),
           error_code(lambda: ddb.put_item(TableName="boto3-check", Item={"pk": {"S": "ü-1"}},
                                           ConditionExpression="attribute_not_exists(pk)")))

    s3 = client("s3")
    s3.create_bucket(Bucket="boto3-check")
    source = os.path.join(workdir, "source.bin")
    with open(source, "wb") as f:
        f.write(os.urandom(13 * 1024 * 1024 + 5))
    config = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024,
                            max_concurrency=4)
    s3.upload_file(source, "boto3-check", "dir/ü big.bin", Config=config)
    head = s3.head_object(Bucket="boto3-check", Key="dir/ü big.bin")
    expect("s3 upload_file in parts (ETag of 3 parts)", True, head["ETag"].endswith('-3"'))
    target = os.path.join(workdir, "target.bin")
    s3.download_file("boto3-check", "dir/ü big.bin", target, Config=config)
    expect("s3 download_file in ranges", sha256(source), sha256(target))
    part = s3.get_object(Bucket="boto3-check", Key="dir/ü big.bin", PartNumber=2)
    expect("s3 get_object PartNumber=2 (size, parts count)", (5 * 1024 * 1024, 3),
           (part["ContentLength"], part["PartsCount"]))
    expect("s3 get_object PartNumber=4", ("InvalidPartNumber", 416),
           error_code(lambda: s3.get_object(Bucket="boto3-check", Key="dir/ü big.bin", PartNumber=4)))

    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": "boto3-check", "Key": "presigned ü.txt"},
                                        ExpiresIn=300)
    with urllib.request.urlopen(urllib.request.Request(put_url, data=b"put by url", method="PUT")) as r:
        expect("s3 presigned PUT", 200, r.status)
    get_url = s3.generate_presigned_url("get_object", Params={"Bucket": "boto3-check", "Key": "presigned ü.txt"},
                                        ExpiresIn=300)
    with urllib.request.urlopen(get_url) as r:
        expect("s3 presigned GET reads the presigned PUT", b"put by url", r.read())
    s3v4 = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test",
                        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
    v4_url = s3v4.generate_presigned_url("put_object", Params={"Bucket": "boto3-check", "Key": "v4 presigned"},
                                         ExpiresIn=300)
    # urllib types a body application/x-www-form-urlencoded, as curl -d does: S3 stores it as sent.
    with urllib.request.urlopen(urllib.request.Request(v4_url, data=b"a=1&b=%ZZ", method="PUT")) as r:
        expect("s3 presigned PUT (SigV4) of a form-typed body", 200, r.status)
    stored = s3.get_object(Bucket="boto3-check", Key="v4 presigned")
    expect("s3 the form-typed body and type as sent", (b"a=1&b=%ZZ", "application/x-www-form-urlencoded"),
           (stored["Body"].read(), stored["ContentType"]))
    expect("s3 missing key", ("NoSuchKey", 404),
           error_code(lambda: s3.get_object(Bucket="boto3-check", Key="missing")))

    sts = client("sts")
    expect("sts get-caller-identity", "000000000000", sts.get_caller_identity()["Account"])
    role = sts.assume_role(RoleArn="arn:aws:iam::000000000000:role/checker", RoleSessionName="boto3")
    expect("sts assume-role hands out temporary credentials", True,
           role["Credentials"]["AccessKeyId"].startswith("ASIA"))
    as_role = boto3.client("sts", endpoint_url=ENDPOINT, region_name="us-east-1",
                           aws_access_key_id=role["Credentials"]["AccessKeyId"],
                           aws_secret_access_key=role["Credentials"]["SecretAccessKey"],
                           aws_session_token=role["Credentials"]["SessionToken"])
    expect("sts the role's identity", True,
           as_role.get_caller_identity()["Arn"].startswith("arn:aws:sts::000000000000:assumed-role/checker/"))

    sqs = client("sqs")
    code, status = error_code(lambda: sqs.list_queues())
    expect("sqs refused as not emulated (501)", 501, status)

    with urllib.request.urlopen(ENDPOINT + "/_localstack/health") as r:
        expect("/_localstack/health", 200, r.status)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    if not os.path.isfile(JAR):
        print("boto3-check: build %s first" % JAR, file=sys.stderr)
        sys.exit(2)
    log = tempfile.TemporaryFile()
    started = time.monotonic()
    server = subprocess.Popen(["java", "-jar", JAR, "--port", str(PORT)], stdout=log, stderr=subprocess.STDOUT)
    try:
        while True:
            if server.poll() is not None:
                log.seek(0)
                fail("start", log.read().decode(errors="replace"))
            try:
                with urllib.request.urlopen(ENDPOINT + "/_localstack/health", timeout=1):
                    break
            except OSError:
                time.sleep(0.01)
        print("the jar answered %d ms after it was started" % ((time.monotonic() - started) * 1000))
        with tempfile.TemporaryDirectory() as workdir:
            checks(workdir)
        print("boto3-check: every check passed")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)


if __name__ == "__main__":
    main()
