"""S3 against a real eddy with boto3 (1.43 under python3, 1.26 under /usr/bin/python3)
and the AWS CLI: buckets, objects, keys of every kind, listings with delimiters and
tokens, ranges, conditional requests, metadata, tagging, multipart uploads,
versioning, stored bucket configurations, presigned URLs with plain HTTP,
virtual-hosted addressing, the errors S3 words, and durability with --data-dir.
"""
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest
import socket
import urllib.error
import urllib.parse
import urllib.request
import warnings

from botocore.config import Config
from botocore.exceptions import ClientError

from harness import Eddy, cli_env, client

MIB = 1024 * 1024


def setUpModule():
    global EDDY
    warnings.simplefilter("ignore", ResourceWarning)
    EDDY = Eddy().start()


def tearDownModule():
    EDDY.stop()


def s3_client(endpoint, style="path"):
    return client("s3", endpoint, s3={"addressing_style": style})


class S3Case(unittest.TestCase):
    counter = 0

    def setUp(self):
        self.s3 = s3_client(EDDY.endpoint)
        S3Case.counter += 1
        self.bucket = f"bucket-{os.getpid()}-{S3Case.counter}"
        self.s3.create_bucket(Bucket=self.bucket)

    def error(self, call, **kwargs):
        with self.assertRaises(ClientError) as caught:
            call(**kwargs)
        return caught.exception.response

    def assertError(self, code, status, call, **kwargs):
        response = self.error(call, **kwargs)
        self.assertEqual(response["Error"]["Code"], code)
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], status)
        return response


class BucketTest(S3Case):
    def test_create_head_list_delete(self):
        names = [b["Name"] for b in self.s3.list_buckets()["Buckets"]]
        self.assertIn(self.bucket, names)
        head = self.s3.head_bucket(Bucket=self.bucket)
        self.assertEqual(head["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"], "us-east-1")
        self.s3.delete_bucket(Bucket=self.bucket)
        self.assertError("404", 404, self.s3.head_bucket, Bucket=self.bucket)
        self.assertError("NoSuchBucket", 404, self.s3.delete_bucket, Bucket=self.bucket)

    def test_names_are_checked(self):
        for bad in ["ab", "UpperCase", "a..b", "192.168.1.1", "-start", "end-", "x" * 64, "xn--idn", "b-s3alias"]:
            r = self.assertError("InvalidBucketName", 400, self.s3.create_bucket, Bucket=bad)
            self.assertEqual(r["Error"]["Message"], "The specified bucket is not valid.")
            self.assertEqual(r["Error"]["BucketName"], bad)

    def test_location_constraint(self):
        eu = client("s3", EDDY.endpoint, region="eu-west-1")
        name = self.bucket + "-eu"
        eu.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        self.assertEqual(eu.get_bucket_location(Bucket=name)["LocationConstraint"], "eu-west-1")
        self.assertIsNone(self.s3.get_bucket_location(Bucket=self.bucket)["LocationConstraint"])
        r = self.assertError("IllegalLocationConstraintException", 400, eu.create_bucket, Bucket=name + "x")
        self.assertIn("unspecified location constraint is incompatible", r["Error"]["Message"])
        self.assertError("InvalidLocationConstraint", 400, self.s3.create_bucket, Bucket=name + "y",
                         CreateBucketConfiguration={"LocationConstraint": "us-east-1"})
        # a repeated create: us-east-1 answers success, other regions BucketAlreadyOwnedByYou
        self.s3.create_bucket(Bucket=self.bucket)
        self.assertError("BucketAlreadyOwnedByYou", 409, eu.create_bucket, Bucket=name,
                         CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})

    def test_not_empty(self):
        self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"x")
        r = self.assertError("BucketNotEmpty", 409, self.s3.delete_bucket, Bucket=self.bucket)
        self.assertEqual(r["Error"]["Message"], "The bucket you tried to delete is not empty")
        self.s3.delete_object(Bucket=self.bucket, Key="k")
        self.s3.delete_bucket(Bucket=self.bucket)

    def test_configurations_stored_and_returned(self):
        policy = json.dumps({"Version": "2012-10-17", "Statement": []})
        self.assertError("NoSuchBucketPolicy", 404, self.s3.get_bucket_policy, Bucket=self.bucket)
        self.s3.put_bucket_policy(Bucket=self.bucket, Policy=policy)
        self.assertEqual(self.s3.get_bucket_policy(Bucket=self.bucket)["Policy"], policy)
        self.assertError("MalformedPolicy", 400, self.s3.put_bucket_policy, Bucket=self.bucket, Policy="not json")
        self.s3.delete_bucket_policy(Bucket=self.bucket)
        self.assertError("NoSuchBucketPolicy", 404, self.s3.get_bucket_policy, Bucket=self.bucket)

        self.assertError("NoSuchCORSConfiguration", 404, self.s3.get_bucket_cors, Bucket=self.bucket)
        rules = [{"AllowedMethods": ["GET", "PUT"], "AllowedOrigins": ["https://example.com"],
                  "AllowedHeaders": ["*"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 300}]
        self.s3.put_bucket_cors(Bucket=self.bucket, CORSConfiguration={"CORSRules": rules})
        self.assertEqual(self.s3.get_bucket_cors(Bucket=self.bucket)["CORSRules"], rules)
        r = self.assertError("InvalidRequest", 400, self.s3.put_bucket_cors, Bucket=self.bucket,
                             CORSConfiguration={"CORSRules": [{"AllowedMethods": ["PATCH"],
                                                               "AllowedOrigins": ["*"]}]})
        self.assertIn("Unsupported method is PATCH", r["Error"]["Message"])

        self.assertError("NoSuchLifecycleConfiguration", 404, self.s3.get_bucket_lifecycle_configuration,
                         Bucket=self.bucket)
        lifecycle = [{"ID": "expire", "Filter": {"Prefix": "logs/"}, "Status": "Enabled",
                      "Expiration": {"Days": 30}}]
        self.s3.put_bucket_lifecycle_configuration(Bucket=self.bucket,
                                                   LifecycleConfiguration={"Rules": lifecycle})
        got = self.s3.get_bucket_lifecycle_configuration(Bucket=self.bucket)["Rules"]
        self.assertEqual(got[0]["ID"], "expire")
        self.assertEqual(got[0]["Expiration"]["Days"], 30)

        self.assertError("NoSuchTagSet", 404, self.s3.get_bucket_tagging, Bucket=self.bucket)
        self.s3.put_bucket_tagging(Bucket=self.bucket, Tagging={"TagSet": [{"Key": "team", "Value": "a"}]})
        self.assertEqual(self.s3.get_bucket_tagging(Bucket=self.bucket)["TagSet"], [{"Key": "team", "Value": "a"}])

        # every bucket has default encryption (SSE-S3) since 2023
        rules = self.s3.get_bucket_encryption(Bucket=self.bucket)["ServerSideEncryptionConfiguration"]["Rules"]
        self.assertEqual(rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"], "AES256")


class ObjectTest(S3Case):
    def test_put_get_head_with_metadata_and_content_headers(self):
        body = b"hello world"
        r = self.s3.put_object(Bucket=self.bucket, Key="greeting", Body=body, ContentType="text/plain",
                               CacheControl="max-age=60", ContentDisposition="inline", ContentLanguage="en",
                               Metadata={"Owner": "team-a", "trace": "1"})
        self.assertEqual(r["ETag"], '"%s"' % hashlib.md5(body).hexdigest())
        g = self.s3.get_object(Bucket=self.bucket, Key="greeting")
        self.assertEqual(g["Body"].read(), body)
        self.assertEqual(g["ContentType"], "text/plain")
        self.assertEqual(g["CacheControl"], "max-age=60")
        self.assertEqual(g["ContentDisposition"], "inline")
        self.assertEqual(g["ContentLanguage"], "en")
        self.assertEqual(g["Metadata"], {"owner": "team-a", "trace": "1"})
        self.assertEqual(g["ContentLength"], len(body))
        self.assertEqual(g["AcceptRanges"], "bytes")
        h = self.s3.head_object(Bucket=self.bucket, Key="greeting")
        self.assertEqual(h["ContentLength"], len(body))
        self.assertEqual(h["ETag"], r["ETag"])
        self.assertEqual(h["ResponseMetadata"]["HTTPHeaders"]["content-length"], str(len(body)))
        # no ContentType given: S3 keeps binary/octet-stream
        self.s3.put_object(Bucket=self.bucket, Key="plain", Body=b"x")
        self.assertEqual(self.s3.head_object(Bucket=self.bucket, Key="plain")["ContentType"], "binary/octet-stream")
        # response-* overrides
        g = self.s3.get_object(Bucket=self.bucket, Key="greeting", ResponseContentType="application/json")
        self.assertEqual(g["ContentType"], "application/json")

    def test_keys_of_every_kind_round_trip(self):
        keys = ["with space", "unicodé/ключ/キー", "a/../b", "..", "/leading", "//double", "percent%20sign",
                "plus+sign", "question?mark", "hash#tag", "tilde~", "amp&and=eq", "trailing/", "semi;colon",
                "quote'\"", "tab\there"]
        for key in keys:
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=key.encode())
        for key in keys:
            self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read(), key.encode(), key)
        listed = [c["Key"] for c in self.s3.list_objects_v2(Bucket=self.bucket)["Contents"]]
        self.assertEqual(listed, sorted(keys, key=lambda k: k.encode()))
        # asked for explicitly, url encoding reaches the caller as it is (botocore decodes only its own)
        listed = [c["Key"] for c in self.s3.list_objects(Bucket=self.bucket, EncodingType="url")["Contents"]]
        self.assertIn("with%20space", listed)
        self.assertEqual([urllib.parse.unquote(k) for k in listed], sorted(keys, key=lambda k: k.encode()))

    def test_errors(self):
        r = self.assertError("NoSuchKey", 404, self.s3.get_object, Bucket=self.bucket, Key="missing")
        self.assertEqual(r["Error"]["Message"], "The specified key does not exist.")
        self.assertEqual(r["Error"]["Key"], "missing")
        self.assertError("404", 404, self.s3.head_object, Bucket=self.bucket, Key="missing")
        r = self.assertError("NoSuchBucket", 404, self.s3.get_object, Bucket="no-such-bucket-here", Key="k")
        self.assertEqual(r["Error"]["BucketName"], "no-such-bucket-here")
        self.assertError("NoSuchBucket", 404, self.s3.put_object, Bucket="no-such-bucket-here", Key="k", Body=b"")
        self.assertError("MetadataTooLarge", 400, self.s3.put_object, Bucket=self.bucket, Key="k", Body=b"",
                         Metadata={"big": "x" * 2100})

    def test_content_md5(self):
        import base64
        good = base64.b64encode(hashlib.md5(b"abc").digest()).decode()
        self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"abc", ContentMD5=good)
        bad = base64.b64encode(hashlib.md5(b"abd").digest()).decode()
        r = self.assertError("BadDigest", 400, self.s3.put_object, Bucket=self.bucket, Key="k2", Body=b"abc",
                             ContentMD5=bad)
        self.assertEqual(r["Error"]["Message"], "The Content-MD5 you specified did not match what we received.")
        self.assertError("NoSuchKey", 404, self.s3.get_object, Bucket=self.bucket, Key="k2")

    def test_ranges(self):
        body = bytes(range(100))
        self.s3.put_object(Bucket=self.bucket, Key="r", Body=body)
        for header, first, last in [("bytes=0-9", 0, 9), ("bytes=90-", 90, 99), ("bytes=-5", 95, 99),
                                    ("bytes=95-200", 95, 99)]:
            g = self.s3.get_object(Bucket=self.bucket, Key="r", Range=header)
            self.assertEqual(g["ResponseMetadata"]["HTTPStatusCode"], 206)
            self.assertEqual(g["Body"].read(), body[first:last + 1])
            self.assertEqual(g["ContentRange"], f"bytes {first}-{last}/100")
            self.assertEqual(g["ContentLength"], last - first + 1)
        r = self.assertError("InvalidRange", 416, self.s3.get_object, Bucket=self.bucket, Key="r",
                             Range="bytes=100-")
        self.assertEqual(r["Error"]["Message"], "The requested range is not satisfiable")
        self.assertEqual(r["Error"]["ActualObjectSize"], "100")
        # a range S3 does not understand is ignored: the whole object, 200
        g = self.s3.get_object(Bucket=self.bucket, Key="r", Range="bytes=5-2")
        self.assertEqual(g["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(g["Body"].read(), body)

    def test_conditional_reads(self):
        etag = self.s3.put_object(Bucket=self.bucket, Key="c", Body=b"v1")["ETag"]
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="c", IfMatch=etag)["Body"].read(), b"v1")
        r = self.assertError("PreconditionFailed", 412, self.s3.get_object, Bucket=self.bucket, Key="c",
                             IfMatch='"0123"')
        self.assertEqual(r["Error"]["Condition"], "If-Match")
        self.assertError("304", 304, self.s3.get_object, Bucket=self.bucket, Key="c", IfNoneMatch=etag)
        self.assertError("304", 304, self.s3.get_object, Bucket=self.bucket, Key="c",
                         IfModifiedSince=time.time() + 3600)
        self.assertError("PreconditionFailed", 412, self.s3.get_object, Bucket=self.bucket, Key="c",
                         IfUnmodifiedSince=time.time() - 3600)
        g = self.s3.get_object(Bucket=self.bucket, Key="c", IfModifiedSince=time.time() - 3600)
        self.assertEqual(g["Body"].read(), b"v1")

    def test_conditional_writes(self):
        members = self.s3.meta.service_model.operation_model("PutObject").input_shape.members
        if "IfNoneMatch" not in members:
            self.skipTest("this botocore predates S3's conditional writes")
        self.s3.put_object(Bucket=self.bucket, Key="w", Body=b"first", IfNoneMatch="*")
        r = self.assertError("PreconditionFailed", 412, self.s3.put_object, Bucket=self.bucket, Key="w",
                             Body=b"second", IfNoneMatch="*")
        self.assertEqual(r["Error"]["Condition"], "If-None-Match")
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="w")["Body"].read(), b"first")
        etag = self.s3.head_object(Bucket=self.bucket, Key="w")["ETag"]
        self.assertError("PreconditionFailed", 412, self.s3.put_object, Bucket=self.bucket, Key="w", Body=b"x",
                         IfMatch='"ffff"')
        self.s3.put_object(Bucket=self.bucket, Key="w", Body=b"third", IfMatch=etag)
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="w")["Body"].read(), b"third")

    def test_delete_and_delete_objects(self):
        for k in ["a", "b", "c"]:
            self.s3.put_object(Bucket=self.bucket, Key=k, Body=b"x")
        r = self.s3.delete_object(Bucket=self.bucket, Key="a")
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.s3.delete_object(Bucket=self.bucket, Key="never-there")  # S3 answers success
        r = self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": [{"Key": "b"}, {"Key": "c"},
                                                                          {"Key": "zz"}]})
        self.assertEqual(sorted(d["Key"] for d in r["Deleted"]), ["b", "c", "zz"])
        self.assertNotIn("Contents", self.s3.list_objects_v2(Bucket=self.bucket))
        r = self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": [{"Key": "q"}], "Quiet": True})
        self.assertNotIn("Deleted", r)

    def test_copy_object_with_directives(self):
        self.s3.put_object(Bucket=self.bucket, Key="src", Body=b"payload", ContentType="text/plain",
                           Metadata={"a": "1"}, Tagging="t=1")
        r = self.s3.copy_object(Bucket=self.bucket, Key="dst", CopySource={"Bucket": self.bucket, "Key": "src"})
        self.assertEqual(r["CopyObjectResult"]["ETag"], '"%s"' % hashlib.md5(b"payload").hexdigest())
        h = self.s3.head_object(Bucket=self.bucket, Key="dst")
        self.assertEqual((h["ContentType"], h["Metadata"]), ("text/plain", {"a": "1"}))
        self.assertEqual(self.s3.get_object_tagging(Bucket=self.bucket, Key="dst")["TagSet"],
                         [{"Key": "t", "Value": "1"}])
        self.s3.copy_object(Bucket=self.bucket, Key="dst2", CopySource=f"{self.bucket}/src",
                            MetadataDirective="REPLACE", Metadata={"b": "2"}, ContentType="application/json",
                            TaggingDirective="REPLACE", Tagging="u=2")
        h = self.s3.head_object(Bucket=self.bucket, Key="dst2")
        self.assertEqual((h["ContentType"], h["Metadata"]), ("application/json", {"b": "2"}))
        self.assertEqual(self.s3.get_object_tagging(Bucket=self.bucket, Key="dst2")["TagSet"],
                         [{"Key": "u", "Value": "2"}])
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="dst2")["Body"].read(), b"payload")
        r = self.assertError("InvalidRequest", 400, self.s3.copy_object, Bucket=self.bucket, Key="src",
                             CopySource=f"{self.bucket}/src")
        self.assertIn("copy an object to itself", r["Error"]["Message"])
        self.assertError("NoSuchKey", 404, self.s3.copy_object, Bucket=self.bucket, Key="x",
                         CopySource=f"{self.bucket}/missing")
        self.assertError("PreconditionFailed", 412, self.s3.copy_object, Bucket=self.bucket, Key="x",
                         CopySource=f"{self.bucket}/src", CopySourceIfMatch='"nope"')

    def test_tagging(self):
        self.s3.put_object(Bucket=self.bucket, Key="t", Body=b"x", Tagging="a=1&b=two%20words")
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="t")["TagCount"], 2)
        tags = self.s3.get_object_tagging(Bucket=self.bucket, Key="t")["TagSet"]
        self.assertEqual(sorted((t["Key"], t["Value"]) for t in tags), [("a", "1"), ("b", "two words")])
        self.s3.put_object_tagging(Bucket=self.bucket, Key="t", Tagging={"TagSet": [{"Key": "c", "Value": "3"}]})
        self.assertEqual(self.s3.get_object_tagging(Bucket=self.bucket, Key="t")["TagSet"],
                         [{"Key": "c", "Value": "3"}])
        too_many = [{"Key": f"k{i}", "Value": "v"} for i in range(11)]
        r = self.assertError("BadRequest", 400, self.s3.put_object_tagging, Bucket=self.bucket, Key="t",
                             Tagging={"TagSet": too_many})
        self.assertEqual(r["Error"]["Message"], "Object tags cannot be greater than 10")
        self.s3.delete_object_tagging(Bucket=self.bucket, Key="t")
        self.assertEqual(self.s3.get_object_tagging(Bucket=self.bucket, Key="t")["TagSet"], [])

    def test_get_object_attributes(self):
        self.s3.put_object(Bucket=self.bucket, Key="attr", Body=b"12345")
        r = self.s3.get_object_attributes(Bucket=self.bucket, Key="attr",
                                          ObjectAttributes=["ETag", "ObjectSize", "StorageClass"])
        self.assertEqual(r["ETag"], hashlib.md5(b"12345").hexdigest())  # without quotes, as S3 gives it
        self.assertEqual(r["ObjectSize"], 5)
        self.assertEqual(r["StorageClass"], "STANDARD")


class ListingTest(S3Case):
    def setUp(self):
        super().setUp()
        self.keys = ["a.txt", "dir/1", "dir/2", "dir/sub/3", "other/4", "z"]
        for k in self.keys:
            self.s3.put_object(Bucket=self.bucket, Key=k, Body=b"x")

    def test_delimiter_and_prefix(self):
        r = self.s3.list_objects_v2(Bucket=self.bucket, Delimiter="/")
        self.assertEqual([c["Key"] for c in r["Contents"]], ["a.txt", "z"])
        self.assertEqual([p["Prefix"] for p in r["CommonPrefixes"]], ["dir/", "other/"])
        self.assertEqual(r["KeyCount"], 4)
        r = self.s3.list_objects_v2(Bucket=self.bucket, Prefix="dir/", Delimiter="/")
        self.assertEqual([c["Key"] for c in r["Contents"]], ["dir/1", "dir/2"])
        self.assertEqual([p["Prefix"] for p in r["CommonPrefixes"]], ["dir/sub/"])
        r = self.s3.list_objects_v2(Bucket=self.bucket, StartAfter="dir/2")
        self.assertEqual([c["Key"] for c in r["Contents"]], ["dir/sub/3", "other/4", "z"])

    def test_continuation_tokens_page_through_everything(self):
        seen, token = [], None
        while True:
            kwargs = {"Bucket": self.bucket, "MaxKeys": 2, "Delimiter": "/"}
            if token:
                kwargs["ContinuationToken"] = token
            r = self.s3.list_objects_v2(**kwargs)
            seen += [c["Key"] for c in r.get("Contents", [])] + [p["Prefix"] for p in r.get("CommonPrefixes", [])]
            self.assertLessEqual(r["KeyCount"], 2)
            if not r["IsTruncated"]:
                break
            token = r["NextContinuationToken"]
        self.assertEqual(sorted(seen), ["a.txt", "dir/", "other/", "z"])
        paginator = self.s3.get_paginator("list_objects_v2")
        keys = [c["Key"] for page in paginator.paginate(Bucket=self.bucket, PaginationConfig={"PageSize": 1})
                for c in page.get("Contents", [])]
        self.assertEqual(keys, self.keys)

    def test_list_objects_v1_markers(self):
        r = self.s3.list_objects(Bucket=self.bucket, MaxKeys=2)
        self.assertTrue(r["IsTruncated"])
        self.assertNotIn("NextMarker", r)  # only given with a delimiter
        r = self.s3.list_objects(Bucket=self.bucket, Marker="dir/2")
        self.assertEqual([c["Key"] for c in r["Contents"]], ["dir/sub/3", "other/4", "z"])
        r = self.s3.list_objects(Bucket=self.bucket, Delimiter="/", MaxKeys=1)
        self.assertEqual(r["NextMarker"], "a.txt")
        paginator = self.s3.get_paginator("list_objects")
        keys = [c["Key"] for page in paginator.paginate(Bucket=self.bucket, PaginationConfig={"PageSize": 2})
                for c in page.get("Contents", [])]
        self.assertEqual(keys, self.keys)

    def test_bad_token(self):
        self.assertError("InvalidArgument", 400, self.s3.list_objects_v2, Bucket=self.bucket,
                         ContinuationToken="bogus")


class MultipartTest(S3Case):
    def test_upload_list_complete(self):
        u = self.s3.create_multipart_upload(Bucket=self.bucket, Key="big", ContentType="video/mp4",
                                            Metadata={"m": "1"})
        uid = u["UploadId"]
        parts = [b"a" * (5 * MIB), b"b" * (5 * MIB), b"tail"]
        etags = []
        for i, data in enumerate(parts, 1):
            etags.append(self.s3.upload_part(Bucket=self.bucket, Key="big", UploadId=uid, PartNumber=i,
                                             Body=data)["ETag"])
        listed = self.s3.list_parts(Bucket=self.bucket, Key="big", UploadId=uid)
        self.assertEqual([p["PartNumber"] for p in listed["Parts"]], [1, 2, 3])
        self.assertEqual([p["Size"] for p in listed["Parts"]], [len(p) for p in parts])
        uploads = self.s3.list_multipart_uploads(Bucket=self.bucket)["Uploads"]
        self.assertEqual([(x["Key"], x["UploadId"]) for x in uploads], [("big", uid)])
        done = self.s3.complete_multipart_upload(
            Bucket=self.bucket, Key="big", UploadId=uid,
            MultipartUpload={"Parts": [{"PartNumber": i + 1, "ETag": e} for i, e in enumerate(etags)]})
        expected = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest() + "-3"
        self.assertEqual(done["ETag"], f'"{expected}"')
        g = self.s3.get_object(Bucket=self.bucket, Key="big")
        self.assertEqual(g["Body"].read(), b"".join(parts))
        self.assertEqual((g["ContentType"], g["Metadata"]), ("video/mp4", {"m": "1"}))
        part2 = self.s3.get_object(Bucket=self.bucket, Key="big", PartNumber=2)
        self.assertEqual(part2["PartsCount"], 3)
        self.assertEqual(part2["Body"].read(), parts[1])
        self.assertNotIn("Uploads", self.s3.list_multipart_uploads(Bucket=self.bucket))
        self.assertError("NoSuchUpload", 404, self.s3.list_parts, Bucket=self.bucket, Key="big", UploadId=uid)

    def test_errors(self):
        uid = self.s3.create_multipart_upload(Bucket=self.bucket, Key="k")["UploadId"]
        small = self.s3.upload_part(Bucket=self.bucket, Key="k", UploadId=uid, PartNumber=1, Body=b"x")["ETag"]
        last = self.s3.upload_part(Bucket=self.bucket, Key="k", UploadId=uid, PartNumber=2, Body=b"y")["ETag"]
        r = self.assertError("EntityTooSmall", 400, self.s3.complete_multipart_upload, Bucket=self.bucket, Key="k",
                             UploadId=uid, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": small},
                                                                      {"PartNumber": 2, "ETag": last}]})
        self.assertEqual(r["Error"]["Message"], "Your proposed upload is smaller than the minimum allowed object size.")
        self.assertError("InvalidPart", 400, self.s3.complete_multipart_upload, Bucket=self.bucket, Key="k",
                         UploadId=uid, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"deadbeef"'}]})
        self.assertError("InvalidPartOrder", 400, self.s3.complete_multipart_upload, Bucket=self.bucket, Key="k",
                         UploadId=uid, MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": last},
                                                                  {"PartNumber": 1, "ETag": small}]})
        r = self.assertError("InvalidArgument", 400, self.s3.upload_part, Bucket=self.bucket, Key="k",
                             UploadId=uid, PartNumber=10001, Body=b"z")
        self.assertEqual(r["Error"]["Message"], "Part number must be an integer between 1 and 10000, inclusive")
        # one part alone may be small: it is the last
        done = self.s3.complete_multipart_upload(Bucket=self.bucket, Key="k", UploadId=uid,
                                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": small}]})
        self.assertTrue(done["ETag"].endswith('-1"'))
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="k")["Body"].read(), b"x")
        self.assertError("NoSuchUpload", 404, self.s3.upload_part, Bucket=self.bucket, Key="k", UploadId=uid,
                         PartNumber=1, Body=b"x")

    def test_abort_and_upload_part_copy(self):
        self.s3.put_object(Bucket=self.bucket, Key="source", Body=b"0123456789")
        uid = self.s3.create_multipart_upload(Bucket=self.bucket, Key="copy")["UploadId"]
        r = self.s3.upload_part_copy(Bucket=self.bucket, Key="copy", UploadId=uid, PartNumber=1,
                                     CopySource={"Bucket": self.bucket, "Key": "source"},
                                     CopySourceRange="bytes=2-5")
        self.s3.complete_multipart_upload(Bucket=self.bucket, Key="copy", UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": r["CopyPartResult"]["ETag"]}]})
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="copy")["Body"].read(), b"2345")
        uid = self.s3.create_multipart_upload(Bucket=self.bucket, Key="gone")["UploadId"]
        self.s3.upload_part(Bucket=self.bucket, Key="gone", UploadId=uid, PartNumber=1, Body=b"x")
        self.s3.abort_multipart_upload(Bucket=self.bucket, Key="gone", UploadId=uid)
        self.assertError("NoSuchUpload", 404, self.s3.abort_multipart_upload, Bucket=self.bucket, Key="gone",
                         UploadId=uid)


class VersioningTest(S3Case):
    def test_versions_and_delete_markers(self):
        self.assertNotIn("Status", self.s3.get_bucket_versioning(Bucket=self.bucket))
        self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"before")  # the null version
        self.s3.put_bucket_versioning(Bucket=self.bucket, VersioningConfiguration={"Status": "Enabled"})
        self.assertEqual(self.s3.get_bucket_versioning(Bucket=self.bucket)["Status"], "Enabled")
        v1 = self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"one")["VersionId"]
        v2 = self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"two")["VersionId"]
        self.assertNotEqual(v1, v2)
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="k")["Body"].read(), b"two")
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="k", VersionId=v1)["Body"].read(), b"one")
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="k", VersionId="null")["Body"].read(),
                         b"before")
        d = self.s3.delete_object(Bucket=self.bucket, Key="k")
        self.assertTrue(d["DeleteMarker"])
        self.assertError("NoSuchKey", 404, self.s3.get_object, Bucket=self.bucket, Key="k")
        self.assertError("MethodNotAllowed", 405, self.s3.get_object, Bucket=self.bucket, Key="k",
                         VersionId=d["VersionId"])
        r = self.s3.list_object_versions(Bucket=self.bucket)
        self.assertEqual([(v["VersionId"], v["IsLatest"]) for v in r["Versions"]],
                         [(v2, False), (v1, False), ("null", False)])
        self.assertEqual([(m["VersionId"], m["IsLatest"]) for m in r["DeleteMarkers"]], [(d["VersionId"], True)])
        self.assertNotIn("Contents", self.s3.list_objects_v2(Bucket=self.bucket))
        # deleting the marker brings the object back
        self.s3.delete_object(Bucket=self.bucket, Key="k", VersionId=d["VersionId"])
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="k")["Body"].read(), b"two")
        self.s3.delete_object(Bucket=self.bucket, Key="k", VersionId=v2)
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="k")["Body"].read(), b"one")
        self.assertError("NoSuchVersion", 404, self.s3.get_object, Bucket=self.bucket, Key="k",
                         VersionId="A" * 32)
        # the bucket still holds versions: it cannot go
        self.assertError("BucketNotEmpty", 409, self.s3.delete_bucket, Bucket=self.bucket)

    def test_suspended_writes_the_null_version(self):
        self.s3.put_bucket_versioning(Bucket=self.bucket, VersioningConfiguration={"Status": "Enabled"})
        v1 = self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"one")["VersionId"]
        self.s3.put_bucket_versioning(Bucket=self.bucket, VersioningConfiguration={"Status": "Suspended"})
        self.assertEqual(self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"two")["VersionId"], "null")
        self.assertEqual(self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"three")["VersionId"], "null")
        versions = self.s3.list_object_versions(Bucket=self.bucket)["Versions"]
        self.assertEqual([v["VersionId"] for v in versions], ["null", v1])

    def test_paging_versions(self):
        self.s3.put_bucket_versioning(Bucket=self.bucket, VersioningConfiguration={"Status": "Enabled"})
        made = []
        for key in ["a", "b"]:
            for _ in range(3):
                made.append((key, self.s3.put_object(Bucket=self.bucket, Key=key, Body=b"x")["VersionId"]))
        paginator = self.s3.get_paginator("list_object_versions")
        seen = [(v["Key"], v["VersionId"]) for page in
                paginator.paginate(Bucket=self.bucket, PaginationConfig={"PageSize": 2})
                for v in page.get("Versions", [])]
        expected = [(k, v) for k in ["a", "b"] for (kk, v) in reversed(made) if kk == k]
        self.assertEqual(seen, expected)


class AddressingTest(S3Case):
    def test_virtual_hosted_style(self):
        # this machine's resolver knows no *.localhost names: send them to loopback, as browsers and
        # systemd-resolved do, so boto3's own virtual-hosted requests reach eddy unchanged
        real = socket.getaddrinfo

        def resolve(host, *args, **kwargs):
            return real("127.0.0.1" if str(host).endswith(".localhost") else host, *args, **kwargs)

        socket.getaddrinfo = resolve
        self.addCleanup(setattr, socket, "getaddrinfo", real)
        port = EDDY.endpoint.rsplit(":", 1)[1]
        hosted = s3_client(f"http://localhost:{port}", style="virtual")
        hosted.put_object(Bucket=self.bucket, Key="dir/file.txt", Body=b"virtual")
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="dir/file.txt")["Body"].read(), b"virtual")
        self.assertEqual(hosted.get_object(Bucket=self.bucket, Key="dir/file.txt")["Body"].read(), b"virtual")
        self.assertEqual([c["Key"] for c in hosted.list_objects_v2(Bucket=self.bucket)["Contents"]],
                         ["dir/file.txt"])
        # bucket.s3.localhost too, with curl naming the host itself
        out = subprocess.run(["curl", "-sS", "-f", "--resolve", f"{self.bucket}.s3.localhost:{port}:127.0.0.1",
                              f"http://{self.bucket}.s3.localhost:{port}/dir/file.txt"],
                             capture_output=True, check=True)
        self.assertEqual(out.stdout, b"virtual")

    def test_presigned_urls_with_plain_http(self):
        url = self.s3.generate_presigned_url("put_object", Params={"Bucket": self.bucket, "Key": "up"},
                                             ExpiresIn=300)
        req = urllib.request.Request(url, data=b"from curl", method="PUT")
        self.assertEqual(urllib.request.urlopen(req).status, 200)
        url = self.s3.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": "up"},
                                             ExpiresIn=300)
        out = subprocess.run(["curl", "-sS", "-f", url], capture_output=True, check=True)
        self.assertEqual(out.stdout, b"from curl")

    def test_expired_presigned_url_is_refused(self):
        self.s3.put_object(Bucket=self.bucket, Key="old", Body=b"x")
        v4 = client("s3", EDDY.endpoint, signature_version="s3v4", s3={"addressing_style": "path"})
        urls = [c.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": "old"}, ExpiresIn=1)
                for c in (self.s3, v4)]
        self.assertIn("Signature=", urls[0])
        self.assertIn("X-Amz-Expires=1", urls[1])
        time.sleep(2.1)
        for url in urls:
            with self.assertRaises(urllib.error.HTTPError) as caught:
                urllib.request.urlopen(url)
            self.assertEqual(caught.exception.code, 403)
            body = caught.exception.read().decode()
            self.assertIn("<Code>AccessDenied</Code>", body)
            self.assertIn("<Message>Request has expired</Message>", body)
        url = v4.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": "old"},
                                        ExpiresIn=604801)
        with self.assertRaises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(url)
        self.assertIn("<Code>AuthorizationQueryParametersError</Code>", caught.exception.read().decode())


class CliTest(S3Case):
    def cli(self, *args, cli="aws"):
        env = cli_env(EDDY.endpoint)
        return subprocess.run([cli, "--endpoint-url", EDDY.endpoint, "--region", "us-east-1", *args],
                              env=env, capture_output=True, text=True, timeout=120)

    def test_cp_of_a_large_file_uses_multipart(self):
        folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, folder)
        source = os.path.join(folder, "big.bin")
        data = os.urandom(50 * MIB)
        with open(source, "wb") as f:
            f.write(data)
        for cli in ["aws", "/usr/bin/aws"]:
            with self.subTest(cli=cli):
                out = self.cli("s3", "cp", source, f"s3://{self.bucket}/big.bin", cli=cli)
                self.assertEqual(out.returncode, 0, out.stderr)
                head = self.s3.head_object(Bucket=self.bucket, Key="big.bin")
                self.assertEqual(head["ContentLength"], len(data))
                self.assertRegex(head["ETag"], r'-\d+"$')  # a multipart upload's ETag
                back = os.path.join(folder, "back.bin")
                out = self.cli("s3", "cp", f"s3://{self.bucket}/big.bin", back, cli=cli)
                self.assertEqual(out.returncode, 0, out.stderr)
                with open(back, "rb") as f:
                    self.assertEqual(hashlib.sha256(f.read()).hexdigest(), hashlib.sha256(data).hexdigest())

    def test_s3api_and_ls(self):
        out = self.cli("s3api", "put-object", "--bucket", self.bucket, "--key", "x/y.txt", "--body", __file__)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("ETag", json.loads(out.stdout))
        out = self.cli("s3", "ls", f"s3://{self.bucket}/x/", cli="/usr/bin/aws")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("y.txt", out.stdout)


class DurabilityTest(unittest.TestCase):
    def test_objects_survive_a_restart(self):
        folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, folder)
        data = os.urandom(3 * MIB)
        with Eddy(data_dir=folder) as eddy:
            s3 = s3_client(eddy.endpoint)
            s3.create_bucket(Bucket="durable-bucket")
            s3.put_object(Bucket="durable-bucket", Key="k/../../escape", Body=data)
            s3.put_object(Bucket="durable-bucket", Key="/etc/passwd", Body=b"absolute")
        # no key, however crafted, names a file of its own outside eddy's folder
        self.assertFalse(os.path.exists(os.path.join(folder, "..", "escape")))
        for root, _, files in os.walk(folder):
            for name in files:
                self.assertTrue(os.path.realpath(os.path.join(root, name)).startswith(os.path.realpath(folder)))
        with Eddy(data_dir=folder) as eddy:
            s3 = s3_client(eddy.endpoint)
            self.assertEqual(s3.get_object(Bucket="durable-bucket", Key="k/../../escape")["Body"].read(), data)
            self.assertEqual(s3.get_object(Bucket="durable-bucket", Key="/etc/passwd")["Body"].read(), b"absolute")


class ChecksumTest(S3Case):
    RECORDED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "unit", "protocol", "aws_chunked")

    def test_flexible_checksums_checked_stored_and_returned(self):
        import base64
        import zlib
        crc32 = base64.b64encode(zlib.crc32(b"hello").to_bytes(4, "big")).decode()
        sha256 = base64.b64encode(hashlib.sha256(b"hello").digest()).decode()
        r = self.s3.put_object(Bucket=self.bucket, Key="crc", Body=b"hello", ChecksumAlgorithm="CRC32")
        self.assertEqual(r["ChecksumCRC32"], crc32)
        r = self.s3.put_object(Bucket=self.bucket, Key="sha", Body=b"hello", ChecksumAlgorithm="SHA256")
        self.assertEqual(r["ChecksumSHA256"], sha256)
        g = self.s3.get_object(Bucket=self.bucket, Key="sha", ChecksumMode="ENABLED")
        self.assertEqual(g["ChecksumSHA256"], sha256)
        self.assertEqual(g.get("ChecksumType", "FULL_OBJECT"), "FULL_OBJECT")  # older botocore does not read it
        h = self.s3.head_object(Bucket=self.bucket, Key="crc", ChecksumMode="ENABLED")
        self.assertEqual(h["ChecksumCRC32"], crc32)
        self.assertNotIn("ChecksumCRC32", self.s3.head_object(Bucket=self.bucket, Key="crc"))
        r = self.assertError("BadDigest", 400, self.s3.put_object, Bucket=self.bucket, Key="bad", Body=b"hello",
                             ChecksumCRC32="AAAAAA==")
        self.assertEqual(r["Error"]["Message"], "The CRC32 you specified did not match the calculated checksum.")
        self.assertError("NoSuchKey", 404, self.s3.get_object, Bucket=self.bucket, Key="bad")

    def test_multipart_checksums(self):
        import base64
        import zlib
        u = self.s3.create_multipart_upload(Bucket=self.bucket, Key="m", ChecksumAlgorithm="CRC32")["UploadId"]
        data = [b"a" * (5 * MIB), b"tail"]
        parts = [self.s3.upload_part(Bucket=self.bucket, Key="m", UploadId=u, PartNumber=i + 1, Body=d,
                                     ChecksumAlgorithm="CRC32") for i, d in enumerate(data)]
        crcs = [zlib.crc32(d).to_bytes(4, "big") for d in data]
        self.assertEqual([p["ChecksumCRC32"] for p in parts], [base64.b64encode(c).decode() for c in crcs])
        done = self.s3.complete_multipart_upload(Bucket=self.bucket, Key="m", UploadId=u, MultipartUpload={
            "Parts": [{"PartNumber": i + 1, "ETag": p["ETag"], "ChecksumCRC32": p["ChecksumCRC32"]}
                      for i, p in enumerate(parts)]})
        # COMPOSITE: the CRC32 of the parts' CRC32s, then "-" and the part count
        composite = base64.b64encode(zlib.crc32(b"".join(crcs)).to_bytes(4, "big")).decode() + "-2"
        self.assertEqual(done["ChecksumCRC32"], composite)
        self.assertEqual(done.get("ChecksumType", "COMPOSITE"), "COMPOSITE")  # older botocore does not read it

    def replay(self, name, key, corrupt=False):
        """Sends a PutObject body boto3 recorded (aws-chunked with a trailing checksum) to eddy."""
        with open(os.path.join(self.RECORDED, name + ".headers")) as f:
            lines = f.read().split("\n")
        with open(os.path.join(self.RECORDED, name + ".body"), "rb") as f:
            body = f.read()
        if corrupt:
            body = body.replace(b"Hello", b"Jello")
        headers = {}
        for line in lines[1:]:
            if ": " in line:
                k, v = line.split(": ", 1)
                if k.lower() not in ("host", "transfer-encoding", "expect", "content-length"):
                    headers[k] = v
        port = int(EDDY.endpoint.rsplit(":", 1)[1])
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("PUT", f"/{self.bucket}/{key}", body=body, headers=headers)
        r = conn.getresponse()
        out = (r.status, r.read().decode())
        conn.close()
        return out

    def test_recorded_aws_chunked_bodies(self):
        import base64
        import zlib
        status, body = self.replay("put_object_default", "chunked")
        self.assertEqual(status, 200, body)
        g = self.s3.get_object(Bucket=self.bucket, Key="chunked", ChecksumMode="ENABLED")
        payload = g["Body"].read()
        self.assertEqual(payload, b"Hello, aws-chunked world!\n")
        self.assertEqual(g["ChecksumCRC32"], base64.b64encode(zlib.crc32(payload).to_bytes(4, "big")).decode())
        self.assertEqual(g["ETag"], '"%s"' % hashlib.md5(payload).hexdigest())
        status, body = self.replay("put_object_streamed_sha1", "streamed")
        self.assertEqual(status, 200, body)
        with open(os.path.join(self.RECORDED, "streamed_payload.bin"), "rb") as f:
            expected = f.read()
        g = self.s3.get_object(Bucket=self.bucket, Key="streamed", ChecksumMode="ENABLED")
        self.assertEqual(g["Body"].read(), expected)
        self.assertEqual(g["ChecksumSHA1"], base64.b64encode(hashlib.sha1(expected).digest()).decode())
        # a payload changed on the way no longer matches its trailing checksum
        status, body = self.replay("put_object_default", "corrupt", corrupt=True)
        self.assertEqual(status, 400)
        self.assertIn("<Code>BadDigest</Code>", body)
        self.assertError("NoSuchKey", 404, self.s3.get_object, Bucket=self.bucket, Key="corrupt")


class BucketCorsTest(S3Case):
    def curl(self, method, path, *headers):
        args = ["curl", "-s", "-i", "-X", method]
        for h in headers:
            args += ["-H", h]
        out = subprocess.run(args + [EDDY.endpoint + path], capture_output=True, check=True).stdout.decode()
        head, _, body = out.partition("\r\n\r\n")
        lines = head.split("\r\n")
        status = int(lines[0].split()[1])
        fields = {k.lower(): v for k, v in (line.split(": ", 1) for line in lines[1:] if ": " in line)}
        return status, fields, body

    def test_bucket_rules_answer_browsers(self):
        self.s3.put_object(Bucket=self.bucket, Key="page.txt", Body=b"hi")
        path = f"/{self.bucket}/page.txt"
        status, _, body = self.curl("OPTIONS", path, "Origin: https://app.example.com",
                                    "Access-Control-Request-Method: GET")
        self.assertEqual(status, 403)
        self.assertIn("CORSResponse: CORS is not enabled for this bucket.", body)
        self.s3.put_bucket_cors(Bucket=self.bucket, CORSConfiguration={"CORSRules": [
            {"AllowedOrigins": ["https://*.example.com"], "AllowedMethods": ["GET", "PUT"],
             "AllowedHeaders": ["x-amz-*", "content-type"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 600}]})
        status, fields, _ = self.curl("OPTIONS", path, "Origin: https://app.example.com",
                                      "Access-Control-Request-Method: PUT",
                                      "Access-Control-Request-Headers: x-amz-date, content-type")
        self.assertEqual(status, 200)
        self.assertEqual(fields["access-control-allow-origin"], "https://app.example.com")
        self.assertEqual(fields["access-control-allow-methods"], "GET, PUT")
        self.assertEqual(fields["access-control-allow-headers"], "x-amz-date, content-type")
        self.assertEqual(fields["access-control-max-age"], "600")
        self.assertEqual(fields["access-control-allow-credentials"], "true")
        # an origin, method or header the rules do not name is refused
        for headers in (["Origin: https://evil.test", "Access-Control-Request-Method: GET"],
                        ["Origin: https://app.example.com", "Access-Control-Request-Method: DELETE"],
                        ["Origin: https://app.example.com", "Access-Control-Request-Method: GET",
                         "Access-Control-Request-Headers: authorization-extra"]):
            status, _, body = self.curl("OPTIONS", path, *headers)
            self.assertEqual(status, 403, headers)
            self.assertIn("<Code>AccessForbidden</Code>", body)
        # the request itself: allowed origins see the rule's headers, others see none
        status, fields, body = self.curl("GET", path, "Origin: https://app.example.com")
        self.assertEqual((status, body), (200, "hi"))
        self.assertEqual(fields["access-control-allow-origin"], "https://app.example.com")
        self.assertEqual(fields["access-control-expose-headers"], "ETag")
        status, fields, _ = self.curl("GET", path, "Origin: https://evil.test")
        self.assertEqual(status, 200)
        self.assertNotIn("access-control-allow-origin", fields)


class NotificationTest(S3Case):
    def receive(self, sqs, url, count, timeout=10):
        got, deadline = [], time.time() + timeout
        while len(got) < count and time.time() < deadline:
            for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
                got.append(json.loads(m["Body"]))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return got

    def test_object_events_reach_a_queue(self):
        sqs = client("sqs", EDDY.endpoint)
        url = sqs.create_queue(QueueName=self.bucket + "-events")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        config = {"QueueConfigurations": [{
            "Id": "uploads", "QueueArn": arn, "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:Delete"],
            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "in/"},
                                               {"Name": "suffix", "Value": ".json"}]}}}]}
        self.s3.put_bucket_notification_configuration(Bucket=self.bucket, NotificationConfiguration=config)
        test_event = self.receive(sqs, url, 1)
        self.assertEqual(test_event[0]["Event"], "s3:TestEvent")
        self.assertEqual(test_event[0]["Bucket"], self.bucket)
        got = self.s3.get_bucket_notification_configuration(Bucket=self.bucket)["QueueConfigurations"]
        self.assertEqual(got[0]["QueueArn"], arn)

        self.s3.put_object(Bucket=self.bucket, Key="in/a b.json", Body=b"{}")
        self.s3.put_object(Bucket=self.bucket, Key="in/skipped.txt", Body=b"x")  # filtered out by suffix
        self.s3.put_object(Bucket=self.bucket, Key="out/skipped.json", Body=b"x")  # and by prefix
        self.s3.copy_object(Bucket=self.bucket, Key="in/copy.json", CopySource=f"{self.bucket}/in/a b.json")
        self.s3.delete_object(Bucket=self.bucket, Key="in/a b.json")
        records = [r for body in self.receive(sqs, url, 3) for r in body["Records"]]
        self.assertEqual([r["eventName"] for r in records],
                         ["ObjectCreated:Put", "ObjectCreated:Copy", "ObjectRemoved:Delete"])
        put = records[0]
        self.assertEqual(put["eventSource"], "aws:s3")
        self.assertEqual(put["awsRegion"], "us-east-1")
        self.assertEqual(put["s3"]["configurationId"], "uploads")
        self.assertEqual(put["s3"]["bucket"]["name"], self.bucket)
        self.assertEqual(put["s3"]["bucket"]["arn"], f"arn:aws:s3:::{self.bucket}")
        self.assertEqual(urllib.parse.unquote_plus(put["s3"]["object"]["key"]), "in/a b.json")
        self.assertEqual(put["s3"]["object"]["size"], 2)
        self.assertEqual(put["s3"]["object"]["eTag"], hashlib.md5(b"{}").hexdigest())
        self.assertLess(put["s3"]["object"]["sequencer"], records[2]["s3"]["object"]["sequencer"])
        self.assertEqual(self.receive(sqs, url, 1, timeout=1.5), [])

    def test_a_missing_queue_is_refused(self):
        config = {"QueueConfigurations": [{"QueueArn": "arn:aws:sqs:us-east-1:000000000000:no-such-queue",
                                           "Events": ["s3:ObjectCreated:*"]}]}
        r = self.assertError("InvalidArgument", 400, self.s3.put_bucket_notification_configuration,
                             Bucket=self.bucket, NotificationConfiguration=config)
        self.assertEqual(r["Error"]["Message"], "Unable to validate the following destination configurations")


class StepFunctionsTest(S3Case):
    """The seed's stream-processor state machine puts and deletes its batch object in S3."""

    ROLE = "arn:aws:iam::000000000000:role/states"

    def setUp(self):
        super().setUp()
        self.sfn = client("stepfunctions", EDDY.endpoint)
        here = os.path.dirname(os.path.abspath(__file__))
        with open(os.path.join(here, "stepfunctions", "stream-processor.asl.json")) as f:
            self.seed = json.load(f)

    def run_machine(self, name, definition, payload):
        text = json.dumps(definition).replace("${BUCKET_NAME}", self.bucket)
        arn = self.sfn.create_state_machine(name=f"{name}-{self.bucket}", roleArn=self.ROLE,
                                            definition=text)["stateMachineArn"]
        run = self.sfn.start_execution(stateMachineArn=arn, input=json.dumps(payload))["executionArn"]
        deadline = time.time() + 20
        while time.time() < deadline:
            d = self.sfn.describe_execution(executionArn=run)
            if d["status"] != "RUNNING":
                return d, self.sfn.get_execution_history(executionArn=run)["events"]
            time.sleep(0.1)
        self.fail("the execution did not end")

    def test_seed_puts_its_batch_then_fails_at_the_missing_task(self):
        records = [{"CustomerId": "c1", "FirstName": "Ada"}]
        d, events = self.run_machine("seed", self.seed, records)
        self.assertEqual(d["status"], "FAILED")  # no ECS cluster or task definition was made for it
        puts = [e for e in events if e["type"] == "TaskSucceeded"]
        self.assertEqual(len(puts), 1)
        keys = [c["Key"] for c in self.s3.list_objects_v2(Bucket=self.bucket)["Contents"]]
        self.assertEqual(len(keys), 1)
        body = self.s3.get_object(Bucket=self.bucket, Key=keys[0])["Body"].read()
        self.assertEqual(json.loads(body), records)

    def test_seed_s3_steps_with_the_task_standing_in(self):
        definition = json.loads(json.dumps(self.seed))
        # the container's place (pattern 2's workload arrives with the scenarios): the object is there for it
        definition["States"]["ECS RunTask"] = {
            "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
            "Parameters": {"Bucket": "${BUCKET_NAME}", "Key.$": "$.UniqueIdentifier"},
            "ResultSelector": {"Body.$": "$.Body"}, "ResultPath": "$.Read", "Next": "DeleteObjectOnSuccess",
            "Catch": self.seed["States"]["ECS RunTask"]["Catch"]}
        d, events = self.run_machine("stand-in", definition, [{"CustomerId": "c2"}])
        self.assertEqual(d["status"], "SUCCEEDED", events)
        read = [e for e in events if e["type"] == "TaskSucceeded"][1]
        self.assertEqual(json.loads(json.loads(read["taskSucceededEventDetails"]["output"])["Body"]),
                         [{"CustomerId": "c2"}])
        self.assertNotIn("Contents", self.s3.list_objects_v2(Bucket=self.bucket))

    def test_errors_reach_catch_by_their_sdk_names(self):
        definition = {"StartAt": "Read", "States": {
            "Read": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                     "Parameters": {"Bucket": "${BUCKET_NAME}", "Key": "missing"},
                     "Catch": [{"ErrorEquals": ["S3.NoSuchKeyException"], "Next": "Missing"}], "End": True},
            "Missing": {"Type": "Succeed"}}}
        d, events = self.run_machine("catch", definition, {})
        self.assertEqual(d["status"], "SUCCEEDED", events)


class LargeUploadTest(unittest.TestCase):
    def test_single_put_beyond_the_usual_body_limit(self):
        # 80 MiB in one PUT (other services refuse bodies over 64 MiB), durable: received into a file
        folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, folder)
        data = os.urandom(80 * MIB)
        with Eddy(data_dir=folder) as eddy:
            s3 = s3_client(eddy.endpoint)
            s3.create_bucket(Bucket="large-bucket")
            etag = s3.put_object(Bucket="large-bucket", Key="big", Body=data)["ETag"]
            self.assertEqual(etag, '"%s"' % hashlib.md5(data).hexdigest())
            got = s3.get_object(Bucket="large-bucket", Key="big", Range=f"bytes={50 * MIB}-{50 * MIB + 9}")
            self.assertEqual(got["Body"].read(), data[50 * MIB:50 * MIB + 10])
            self.assertEqual(hashlib.md5(s3.get_object(Bucket="large-bucket", Key="big")["Body"].read()).hexdigest(),
                             hashlib.md5(data).hexdigest())
            self.assertEqual(os.listdir(os.path.join(folder, "s3", "tmp")), [])

    def test_aws_chunked_upload_received_into_a_file(self):
        # the framing boto3 uses over TLS (see tests/unit/protocol/aws_chunked), 3 MiB of it
        import base64
        import http.client
        import zlib
        folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, folder)
        data = os.urandom(3 * MIB + 123)
        chunk = 64 * 1024
        framed = b"".join(b"%x\r\n" % len(data[i:i + chunk]) + data[i:i + chunk] + b"\r\n"
                          for i in range(0, len(data), chunk))
        crc = base64.b64encode(zlib.crc32(data).to_bytes(4, "big"))
        framed += b"0\r\nx-amz-checksum-crc32:" + crc + b"\r\n\r\n"
        with Eddy(data_dir=folder) as eddy:
            s3 = s3_client(eddy.endpoint)
            s3.create_bucket(Bucket="chunked-bucket")
            conn = http.client.HTTPConnection("127.0.0.1", eddy.port, timeout=60)
            conn.request("PUT", "/chunked-bucket/big", body=framed, headers={
                "Content-Encoding": "aws-chunked", "X-Amz-Content-SHA256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                "X-Amz-Trailer": "x-amz-checksum-crc32", "X-Amz-Decoded-Content-Length": str(len(data)),
                "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, "
                                 "SignedHeaders=host, Signature=0"})
            r = conn.getresponse()
            self.assertEqual(r.status, 200, r.read())
            conn.close()
            g = s3.get_object(Bucket="chunked-bucket", Key="big", ChecksumMode="ENABLED")
            self.assertEqual(g["Body"].read(), data)
            self.assertEqual(g["ChecksumCRC32"], crc.decode())
            self.assertEqual(os.listdir(os.path.join(folder, "s3", "tmp")), [])

    def test_kill_during_an_upload_leaves_no_partial_object(self):
        folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, folder)
        eddy = Eddy(data_dir=folder).start()
        try:
            s3 = s3_client(eddy.endpoint)
            s3.create_bucket(Bucket="crash-bucket")
            url = s3.generate_presigned_url("put_object", Params={"Bucket": "crash-bucket", "Key": "half"})
            parts = urllib.parse.urlsplit(url)
            sock = socket.create_connection((parts.hostname, parts.port))
            sock.sendall((f"PUT {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                          f"Content-Length: {200 * MIB}\r\n\r\n").encode())
            sock.sendall(b"x" * (20 * MIB))
            deadline = time.time() + 10
            tmp = os.path.join(folder, "s3", "tmp")
            while time.time() < deadline and not any(os.path.getsize(os.path.join(tmp, f)) > 0
                                                     for f in os.listdir(tmp)):
                time.sleep(0.05)
            self.assertTrue(os.listdir(tmp), "the upload was being received into a file")
            eddy.kill9()
            sock.close()
        finally:
            eddy.stop()
        with Eddy(data_dir=folder) as again:
            s3 = s3_client(again.endpoint)
            with self.assertRaises(ClientError) as caught:
                s3.head_object(Bucket="crash-bucket", Key="half")
            self.assertEqual(caught.exception.response["Error"]["Code"], "404")
            self.assertEqual(os.listdir(os.path.join(folder, "s3", "tmp")), [])
            self.assertEqual(os.listdir(os.path.join(folder, "s3", "blobs")), [])


if __name__ == "__main__":
    unittest.main()
