"""AWS's validation messages through real clients: every violated constraint of a request
in one message, patterns from the model, Coral's SerializationException for a value of the
wrong JSON type (its key spelled `Message`), and empty bodies for operations without output.
botocore's own parameter checks are off, so that eddy is the one that refuses."""
import http.client
import json
import unittest

from botocore.exceptions import ClientError

from harness import Eddy, client
from kinesis_support import quiet


class Validation(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        quiet()
        cls.eddy = Eddy().start()

    @classmethod
    def tearDownClass(cls):
        cls.eddy.stop()

    def client(self, service):
        return client(service, self.eddy.endpoint, parameter_validation=False)

    def refusal(self, call, **params):
        with self.assertRaises(ClientError) as caught:
            call(**params)
        return caught.exception.response["Error"]

    def raw(self, target, body, version="1.1"):
        conn = http.client.HTTPConnection("127.0.0.1", self.eddy.port, timeout=10)
        try:
            conn.request("POST", "/", body, {"Content-Type": f"application/x-amz-json-{version}",
                                              "X-Amz-Target": target,
                                              "Authorization": "AWS4-HMAC-SHA256 Credential=test/20250101/"
                                                               "us-east-1/kinesis/aws4_request, SignedHeaders=host, "
                                                               "Signature=0"})
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    def test_kinesis_lists_every_violation(self):
        error = self.refusal(self.client("kinesis").get_shard_iterator, StreamName="", ShardId="",
                             ShardIteratorType="", StartingSequenceNumber="")
        self.assertEqual(error["Code"], "ValidationException")
        self.assertEqual(
            error["Message"],
            "6 validation errors detected: "
            "Value '' at 'shardId' failed to satisfy constraint: Member must satisfy regular expression pattern: "
            "[a-zA-Z0-9_.-]+; "
            "Value '' at 'shardId' failed to satisfy constraint: Member must have length greater than or equal to 1; "
            "Value '' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: "
            "[AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, AT_TIMESTAMP]; "
            "Value '' at 'startingSequenceNumber' failed to satisfy constraint: Member must satisfy regular "
            "expression pattern: 0|([1-9]\\d{0,128}); "
            "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: "
            "[a-zA-Z0-9_.-]+; "
            "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal "
            "to 1")

    def test_kinesis_list_items_and_nested_members(self):
        long_key = "k" * 129
        error = self.refusal(self.client("kinesis").remove_tags_from_stream, StreamName="s",
                             TagKeys=["a", long_key, "b"])
        self.assertEqual(error["Message"],
                         f"1 validation error detected: Value '[a, {long_key}, b]' at 'tagKeys' failed to satisfy "
                         "constraint: Member must satisfy constraint: [Member must have length less than or equal "
                         "to 128, Member must have length greater than or equal to 1]")
        error = self.refusal(self.client("kinesis").put_records, StreamName="s",
                             Records=[{"Data": b"a", "PartitionKey": "p"},
                                      {"Data": b"b", "PartitionKey": "", "ExplicitHashKey": "x"}])
        self.assertEqual(error["Message"],
                         "2 validation errors detected: Value 'x' at 'records.2.member.explicitHashKey' failed to "
                         "satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38}); "
                         "Value '' at 'records.2.member.partitionKey' failed to satisfy constraint: Member must "
                         "have length greater than or equal to 1")

    def test_logs_map_keys(self):
        key = "k" * 129
        error = self.refusal(self.client("logs").tag_log_group, logGroupName="g", tags={key: "v"})
        self.assertEqual(error["Code"], "InvalidParameterException")
        self.assertEqual(error["Message"],
                         f"1 validation error detected: Value '{{{key}=v}}' at 'tags' failed to satisfy constraint: "
                         "Map keys must satisfy constraint: [Member must have length less than or equal to 128, "
                         "Member must have length greater than or equal to 1, Member must satisfy regular "
                         "expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+)$]")

    def test_logs_tag_keys_of_any_script(self):
        # \p{L}, \p{Z} and \p{N} in the model's pattern: letters, spaces and digits of every script
        logs = self.client("logs")
        logs.create_log_group(logGroupName="unicode-tags", tags={"équipe": "チーム ٣", "ομάδα": "१२"})
        tags = logs.list_tags_for_resource(
            resourceArn="arn:aws:logs:us-east-1:000000000000:log-group:unicode-tags")["tags"]
        self.assertEqual(tags, {"équipe": "チーム ٣", "ομάδα": "१२"})
        error = self.refusal(logs.tag_log_group, logGroupName="unicode-tags", tags={"team😀": "v"})
        self.assertEqual(error["Code"], "InvalidParameterException")
        self.assertEqual(error["Message"],
                         "1 validation error detected: Value '{team😀=v}' at 'tags' failed to satisfy constraint: "
                         "Map keys must satisfy constraint: [Member must have length less than or equal to 128, "
                         "Member must have length greater than or equal to 1, Member must satisfy regular "
                         "expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+)$]")

    def test_stepfunctions_range_and_enum(self):
        error = self.refusal(self.client("stepfunctions").list_executions, maxResults=1001, statusFilter="DONE")
        self.assertEqual(error["Code"], "ValidationException")
        self.assertEqual(error["Message"],
                         "2 validation errors detected: Value '1001' at 'maxResults' failed to satisfy constraint: "
                         "Member must have value less than or equal to 1000; Value 'DONE' at 'statusFilter' failed "
                         "to satisfy constraint: Member must satisfy enum value set: [RUNNING, SUCCEEDED, FAILED, "
                         "TIMED_OUT, ABORTED, PENDING_REDRIVE]")

    def test_wrong_json_types_are_serialization_exceptions(self):
        status, body = self.raw("Kinesis_20131202.CreateStream", b'{"StreamName":"s","ShardCount":"2"}')
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(body), {"__type": "SerializationException",
                                            "Message": "class java.lang.String can not be converted to an Integer"})
        error = self.refusal(self.client("kinesis").create_stream, StreamName="s", ShardCount="2")
        self.assertEqual(error["Code"], "SerializationException")
        self.assertEqual(error["Message"], "class java.lang.String can not be converted to an Integer")

    def test_an_operation_without_output_answers_an_empty_body(self):
        kinesis = self.client("kinesis")
        kinesis.create_stream(StreamName="empty-body", ShardCount=1)
        kinesis.get_waiter("stream_exists").wait(StreamName="empty-body", WaiterConfig={"Delay": 1})
        status, body = self.raw("Kinesis_20131202.AddTagsToStream", b'{"StreamName":"empty-body","Tags":{"a":"b"}}')
        self.assertEqual((status, body), (200, b""))
        # and clients read it as an answer without members
        kinesis.remove_tags_from_stream(StreamName="empty-body", TagKeys=["a"])


if __name__ == "__main__":
    unittest.main()
