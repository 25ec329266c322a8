"""SSM Parameter Store against a real eddy with boto3 and the AWS CLI (v1 and v2): parameters,
versions, selectors, labels, tiers, SecureStrings, paths, filters, history, tags, the errors AWS
words, Step Functions' aws-sdk:ssm integration, and durability across a restart with --data-dir.
Runs under python3 (boto3 1.43) and /usr/bin/python3 (boto3 1.26).
"""
import base64
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import warnings

from botocore.exceptions import ClientError

from harness import Eddy, cli_env, client

ROLE = "arn:aws:iam::000000000000:role/sfn"

STANDARD_LIMIT_MESSAGE = (
    "Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter "
    "value, upgrade the parameter to use the advanced-parameter tier. For more information, see "
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html")

INVALID_NAME_MESSAGE = (
    "Parameter name: can't be prefixed with \"ssm\" (case-insensitive). If formed as a path, it can consist of "
    "sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 "
    "symbols .-_")

# AWS's own text: the quotes around aws and ssm come escaped a second time, backslashes and all.
BAD_PATH_MESSAGE = (
    "The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash "
    "\"/\". It can't be prefixed with \\\"aws\\\" or \\\"ssm\\\" (case-insensitive). It must use only letters, numbers, "
    "or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All "
    "sub-paths, if specified, must use the forward slash symbol \"/\". Valid example: /get/parameters2-/by1./path0_.")


def setUpModule():
    global EDDY
    warnings.simplefilter("ignore", ResourceWarning)
    EDDY = Eddy().start()


def tearDownModule():
    EDDY.stop()


class SsmCase(unittest.TestCase):
    counter = 0

    def setUp(self):
        self.ssm = client("ssm", EDDY.endpoint)
        SsmCase.counter += 1
        # Each test works under a path of its own.
        self.root = f"/t{SsmCase.counter}-{int(time.time() * 1000) % 100000}"

    def put(self, name, value="v", type="String", **kwargs):
        return self.ssm.put_parameter(Name=name, Value=value, Type=type, **kwargs)

    def assert_error(self, code, message, fn, *args, **kwargs):
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kwargs)
        err = cm.exception.response
        self.assertEqual(err["Error"]["Code"], code)
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 400)
        if message is not None:
            self.assertEqual(err["Error"].get("Message", ""), message)
        return err["Error"].get("Message", "")


class Put(SsmCase):
    def test_versions_overwrite_and_what_an_overwrite_keeps(self):
        name = self.root + "/db"
        self.assertEqual(self.put(name, "one", Description="the db")["Version"], 1)
        self.assert_error("ParameterAlreadyExists",
                          "The parameter already exists. To overwrite this value, set the overwrite option in the "
                          "request to true.", self.put, name, "two")
        out = self.ssm.put_parameter(Name=name, Value="two", Overwrite=True)
        self.assertEqual(out["Version"], 2)
        self.assertEqual(out["Tier"], "Standard")
        got = self.ssm.get_parameter(Name=name)["Parameter"]
        self.assertEqual((got["Value"], got["Version"], got["Type"], got["DataType"]), ("two", 2, "String", "text"))
        meta = self.ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [name]}])["Parameters"][0]
        self.assertEqual(meta["Description"], "the db")

    def test_a_new_parameter_needs_a_type(self):
        self.assert_error("ValidationException", "A parameter type is required when you create a parameter.",
                          self.ssm.put_parameter, Name=self.root + "/x", Value="v")

    def test_name_rules(self):
        self.assert_error("ValidationException", "Parameter name must be a fully qualified name.",
                          self.put, self.root[1:] + "/x")
        self.assert_error("ValidationException",
                          INVALID_NAME_MESSAGE, self.put, self.root + "/has space")
        self.assert_error("ValidationException",
                          "Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive).",
                          self.put, "awsThing")
        self.assert_error("ValidationException",
                          "Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive).",
                          self.put, "SSM-thing")
        self.assert_error("AccessDeniedException", "No access to reserved parameter name: /aws/service/x.",
                          self.put, "/aws/service/x")
        self.assert_error("ValidationException", INVALID_NAME_MESSAGE, self.put, "/ssm/x")
        fifteen = self.root + "".join(f"/l{i}" for i in range(14))
        self.assertEqual(self.put(fifteen)["Version"], 1)
        self.assert_error("HierarchyLevelLimitExceededException",
                          "A hierarchy can have a maximum of 15 levels. For more information, see "
                          "https://docs.aws.amazon.com/systems-manager/latest/userguide/"
                          "sysman-parameter-name-constraints.html", self.put, fifteen + "/deeper")
        # The model's own limit on a name's length, in AWS's words.
        msg = self.assert_error("ValidationException", None, self.put, "/" + "n" * 2048)
        self.assertIn("Member must have length less than or equal to 2048", msg)

    def test_tags_and_overwrite_are_not_used_together(self):
        self.assert_error("ValidationException",
                          "Invalid request: tags and overwrite can't be used together. To create a parameter with "
                          "tags, please remove overwrite flag. To update tags for an existing parameter, please use "
                          "AddTagsToResource or RemoveTagsFromResource.",
                          self.put, self.root + "/t", Overwrite=True, Tags=[{"Key": "k", "Value": "v"}])

    def test_tiers_and_their_value_limits(self):
        name = self.root + "/big"
        self.assert_error("ValidationException", STANDARD_LIMIT_MESSAGE, self.put, name, "x" * 4097)
        self.assertEqual(self.put(name, "x" * 4096)["Tier"], "Standard")
        out = self.ssm.put_parameter(Name=name, Value="x" * 8192, Overwrite=True, Tier="Advanced")
        self.assertEqual((out["Version"], out["Tier"]), (2, "Advanced"))
        self.assert_error("ValidationException",
                          "The specified parameter value is too large. Advanced-tier parameters support a maximum "
                          "parameter value of 8192 characters.", self.ssm.put_parameter, Name=name, Value="x" * 8193,
                          Overwrite=True, Tier="Advanced")
        self.assert_error("ValidationException",
                          "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must "
                          "have length less than or equal to 32768", self.ssm.put_parameter, Name=name,
                          Value="x" * 32769, Overwrite=True, Tier="Advanced")
        # An advanced parameter stays advanced, and never goes back to standard.
        self.assertEqual(self.ssm.put_parameter(Name=name, Value="small", Overwrite=True)["Tier"], "Advanced")
        msg = self.assert_error("ValidationException", None, self.ssm.put_parameter, Name=name, Value="small",
                                Overwrite=True, Tier="Standard")
        self.assertTrue(msg.startswith("This parameter uses the advanced-parameter tier. You can't downgrade"), msg)
        # Intelligent-Tiering picks the tier the value needs.
        self.assertEqual(self.put(self.root + "/it1", "x" * 10, Tier="Intelligent-Tiering")["Tier"], "Standard")
        self.assertEqual(self.put(self.root + "/it2", "x" * 5000, Tier="Intelligent-Tiering")["Tier"], "Advanced")
        tiers = {p["Name"]: p["Tier"] for p in self.ssm.describe_parameters(
            ParameterFilters=[{"Key": "Path", "Values": [self.root]}])["Parameters"]}
        self.assertEqual(tiers, {name: "Advanced", self.root + "/it1": "Standard", self.root + "/it2": "Advanced"})

    def test_allowed_pattern(self):
        name = self.root + "/port"
        self.put(name, "8080", AllowedPattern="^\\d+$")
        self.assert_error("ParameterPatternMismatchException",
                          "Parameter value, cannot be validated against allowedPattern: ^\\d+$",
                          self.ssm.put_parameter, Name=name, Value="http", Overwrite=True)
        self.assertEqual(self.ssm.put_parameter(Name=name, Value="9090", Overwrite=True)["Version"], 2)
        meta = self.ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [name]}])["Parameters"][0]
        self.assertEqual(meta["AllowedPattern"], "^\\d+$")
        self.assert_error("InvalidAllowedPatternException", None, self.put, self.root + "/bad", "x",
                          AllowedPattern="([")

    def test_data_types(self):
        self.assert_error("ValidationException",
                          "The following data type is not supported: AWS:EC2:IMAGE (Data type names are all "
                          "lowercase.)", self.put, self.root + "/ami", "ami-12345678", DataType="AWS:EC2:IMAGE")
        good = self.root + "/ami"
        self.put(good, "ami-0123456789abcdef0", DataType="aws:ec2:image")
        self.assertEqual(self.ssm.get_parameter(Name=good)["Parameter"]["DataType"], "aws:ec2:image")
        # As on AWS, a malformed AMI id is answered 200 and then not stored.
        bad = self.root + "/not-ami"
        self.assertEqual(self.put(bad, "my-image", DataType="aws:ec2:image")["Version"], 1)
        self.assert_error("ParameterNotFound", None, self.ssm.get_parameter, Name=bad)

    def test_empty_values_and_policies_are_refused(self):
        self.assert_error("ValidationException",
                          "1 validation error detected: Value '' at 'value' failed to satisfy constraint: Member "
                          "must have length greater than or equal to 1.", self.put, self.root + "/e", "")
        msg = self.assert_error("ValidationException", None, self.put, self.root + "/p", "v", Tier="Advanced",
                                Policies='[{"Type":"Expiration","Version":"1.0","Attributes":'
                                         '{"Timestamp":"2030-01-01T00:00:00.000Z"}}]')
        self.assertIn("policies", msg)

    def test_at_most_100_versions(self):
        name = self.root + "/many"
        self.put(name, "0")
        self.ssm.label_parameter_version(Name=name, ParameterVersion=1, Labels=["first"])
        for i in range(1, 100):
            self.ssm.put_parameter(Name=name, Value=str(i), Overwrite=True)
        self.assert_error("ParameterMaxVersionLimitExceeded",
                          f"You attempted to create a new version of {name} by calling the PutParameter API with "
                          "the overwrite flag. Version 1, the oldest version, can't be deleted because it has a "
                          "label associated with it. Move the label to another version of the parameter, and try "
                          "again.", self.ssm.put_parameter, Name=name, Value="x", Overwrite=True)
        self.ssm.label_parameter_version(Name=name, ParameterVersion=2, Labels=["first"])
        self.assertEqual(self.ssm.put_parameter(Name=name, Value="x", Overwrite=True)["Version"], 101)
        versions = []
        for page in self.ssm.get_paginator("get_parameter_history").paginate(Name=name):
            versions += [p["Version"] for p in page["Parameters"]]
        self.assertEqual(versions, list(range(2, 102)))
        self.assert_error("ParameterVersionNotFound", None, self.ssm.get_parameter, Name=name + ":1")


class SecureStrings(SsmCase):
    def test_values_are_hidden_without_decryption(self):
        name = self.root + "/secret"
        self.put(name, "hunter2", type="SecureString")
        got = self.ssm.get_parameter(Name=name)["Parameter"]
        self.assertNotEqual(got["Value"], "hunter2")
        self.assertTrue(base64.b64decode(got["Value"]).startswith(b"eddy-kms:alias/aws/ssm:"))
        self.assertNotIn(b"hunter2", base64.b64decode(got["Value"]))
        self.assertEqual(self.ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"], "hunter2")
        by_path = self.ssm.get_parameters_by_path(Path=self.root)["Parameters"][0]
        self.assertEqual(by_path["Value"], got["Value"])
        history = self.ssm.get_parameter_history(Name=name, WithDecryption=True)["Parameters"][0]
        self.assertEqual((history["Value"], history["KeyId"]), ("hunter2", "alias/aws/ssm"))

    def test_key_ids_belong_to_secure_strings(self):
        self.assert_error("ValidationException", "KeyId is required for SecureString type parameter only.",
                          self.put, self.root + "/plain", "x", KeyId="alias/mine")

    def test_key_ids(self):
        self.put(self.root + "/a", "x", type="SecureString")
        self.put(self.root + "/b", "y", type="SecureString", KeyId="alias/mine")
        self.put(self.root + "/c", "z")
        meta = {p["Name"]: p.get("KeyId") for p in self.ssm.describe_parameters(
            ParameterFilters=[{"Key": "Path", "Values": [self.root]}])["Parameters"]}
        self.assertEqual(meta, {self.root + "/a": "alias/aws/ssm", self.root + "/b": "alias/mine",
                                self.root + "/c": None})
        mine = self.ssm.describe_parameters(ParameterFilters=[
            {"Key": "Path", "Values": [self.root]}, {"Key": "KeyId", "Values": ["alias/mine"]}])["Parameters"]
        self.assertEqual([p["Name"] for p in mine], [self.root + "/b"])
        old_style = self.ssm.describe_parameters(Filters=[{"Key": "KeyId", "Values": ["alias/mine"]}])["Parameters"]
        self.assertIn(self.root + "/b", [p["Name"] for p in old_style])


class Get(SsmCase):
    def test_versions_and_labels_as_selectors(self):
        name = self.root + "/app"
        self.put(name, "one")
        self.ssm.put_parameter(Name=name, Value="two", Overwrite=True)
        self.ssm.label_parameter_version(Name=name, ParameterVersion=1, Labels=["stable"])
        by_version = self.ssm.get_parameter(Name=name + ":1")["Parameter"]
        self.assertEqual((by_version["Name"], by_version["Value"], by_version["Version"], by_version["Selector"]),
                         (name, "one", 1, ":1"))
        by_label = self.ssm.get_parameter(Name=name + ":stable")["Parameter"]
        self.assertEqual((by_label["Value"], by_label["Version"], by_label["Selector"]), ("one", 1, ":stable"))
        latest = self.ssm.get_parameter(Name=name)["Parameter"]
        self.assertNotIn("Selector", latest)
        self.assertNotIn("SourceResult", latest)
        self.assert_error("ParameterVersionNotFound",
                          f"Systems Manager could not find version 7 of {name}. Verify the version and try again.",
                          self.ssm.get_parameter, Name=name + ":7")
        self.assert_error("ParameterNotFound", None, self.ssm.get_parameter, Name=name + ":nolabel")

    def test_arn_names_and_fields(self):
        name = self.root + "/x"
        self.put(name, "v")
        arn = f"arn:aws:ssm:us-east-1:000000000000:parameter{name}"
        got = self.ssm.get_parameter(Name=arn)["Parameter"]
        self.assertEqual((got["Name"], got["ARN"], got["Value"]), (name, arn, "v"))
        self.assertEqual(self.ssm.get_parameter(Name=arn + ":1")["Parameter"]["Version"], 1)
        self.assertEqual(self.ssm.put_parameter(Name=arn, Value="w", Overwrite=True)["Version"], 2)
        self.assertEqual(self.ssm.get_parameter_history(Name=arn)["Parameters"][1]["Value"], "w")
        self.ssm.label_parameter_version(Name=arn, Labels=["by-arn"])
        self.assertEqual(self.ssm.get_parameter(Name=name + ":by-arn")["Parameter"]["Version"], 2)
        self.put("plain" + self.root[1:], "p")
        flat = self.ssm.get_parameter(Name="plain" + self.root[1:])["Parameter"]
        self.assertEqual(flat["ARN"], "arn:aws:ssm:us-east-1:000000000000:parameter/plain" + self.root[1:])
        self.assertLess(abs(flat["LastModifiedDate"].timestamp() - time.time()), 60)

    def test_one_level_names_with_or_without_a_slash(self):
        name = "flat" + self.root[1:]
        self.put(name, "v")
        got = self.ssm.get_parameter(Name="/" + name)["Parameter"]
        self.assertEqual((got["Name"], got["Value"]), ("/" + name, "v"))
        self.assertEqual(self.ssm.get_parameters(Names=["/" + name])["Parameters"][0]["Name"], "/" + name)
        self.assert_error("ParameterAlreadyExists", None, self.put, "/" + name)
        self.assertEqual(self.ssm.put_parameter(Name="/" + name, Value="w", Overwrite=True)["Version"], 2)
        self.assertEqual(self.ssm.get_parameter(Name=name)["Parameter"]["Value"], "w")

    def test_malformed_names_in_reads(self):
        self.put(self.root + "/b/c")
        self.assert_error("ValidationException", INVALID_NAME_MESSAGE, self.ssm.get_parameter,
                          Name=self.root[1:] + "/b/c")
        self.assert_error("ValidationException", INVALID_NAME_MESSAGE, self.ssm.get_parameter,
                          Name=self.root + "//b//c")
        self.assert_error("ValidationException", INVALID_NAME_MESSAGE, self.ssm.get_parameters,
                          Names=[self.root + "/b/c", self.root + "//b//c"])

    def test_missing_parameters(self):
        self.assert_error("ParameterNotFound", "", self.ssm.get_parameter, Name=self.root + "/none")

    def test_get_parameters(self):
        self.put(self.root + "/a", "A")
        self.put(self.root + "/b", "B", type="SecureString")
        out = self.ssm.get_parameters(Names=[self.root + "/a", self.root + "/b", self.root + "/missing",
                                             self.root + "/a:9", self.root + "/a:1"], WithDecryption=True)
        self.assertEqual([(p["Name"], p["Value"]) for p in out["Parameters"]],
                         [(self.root + "/a", "A"), (self.root + "/b", "B"), (self.root + "/a", "A")])
        self.assertEqual(out["Parameters"][2]["Selector"], ":1")
        self.assertEqual(out["InvalidParameters"], [self.root + "/missing", self.root + "/a:9"])
        self.assert_error("ValidationException", None, self.ssm.get_parameters,
                          Names=[f"{self.root}/{i}" for i in range(11)])


class ByPath(SsmCase):
    def test_one_level_and_recursive(self):
        for n in ["/a", "/b", "/sub/c", "/sub/deep/d"]:
            self.put(self.root + n, n)
        one = self.ssm.get_parameters_by_path(Path=self.root)["Parameters"]
        self.assertEqual([p["Name"] for p in one], [self.root + "/a", self.root + "/b"])
        every = self.ssm.get_parameters_by_path(Path=self.root + "/", Recursive=True)["Parameters"]
        self.assertEqual(len(every), 4)
        self.assertEqual(every[0]["ARN"], f"arn:aws:ssm:us-east-1:000000000000:parameter{self.root}/a")
        sub = self.ssm.get_parameters_by_path(Path=self.root + "/sub")["Parameters"]
        self.assertEqual([p["Name"] for p in sub], [self.root + "/sub/c"])

    def test_pages(self):
        for i in range(7):
            self.put(f"{self.root}/p{i}", str(i))
        first = self.ssm.get_parameters_by_path(Path=self.root, MaxResults=3)
        self.assertEqual(len(first["Parameters"]), 3)
        self.assertIn("NextToken", first)
        names = []
        for page in self.ssm.get_paginator("get_parameters_by_path").paginate(
                Path=self.root, PaginationConfig={"PageSize": 2}):
            names += [p["Name"] for p in page["Parameters"]]
        self.assertEqual(names, [f"{self.root}/p{i}" for i in range(7)])
        self.assert_error("ValidationException", None, self.ssm.get_parameters_by_path, Path=self.root,
                          MaxResults=11)
        self.assert_error("InvalidNextToken", None, self.ssm.get_parameters_by_path, Path=self.root,
                          NextToken="not-a-token")

    def test_filters(self):
        self.put(self.root + "/s", "s")
        self.put(self.root + "/l", "a,b", type="StringList")
        self.ssm.label_parameter_version(Name=self.root + "/l", Labels=["prod"])
        typed = self.ssm.get_parameters_by_path(
            Path=self.root, ParameterFilters=[{"Key": "Type", "Values": ["StringList"]}])["Parameters"]
        self.assertEqual([(p["Name"], p["Value"]) for p in typed], [(self.root + "/l", "a,b")])
        labelled = self.ssm.get_parameters_by_path(
            Path=self.root, ParameterFilters=[{"Key": "Label", "Values": ["prod"]}])["Parameters"]
        self.assertEqual([p["Name"] for p in labelled], [self.root + "/l"])
        self.assert_error("InvalidFilterKey",
                          "The following filter key is not valid: Name. Valid filter keys include: [Type, KeyId].",
                          self.ssm.get_parameters_by_path, Path=self.root,
                          ParameterFilters=[{"Key": "Name", "Values": ["x"]}])
        self.assert_error("InvalidFilterOption",
                          "The following filter option is not valid: BeginsWith. Valid options include: [Equals].",
                          self.ssm.get_parameters_by_path, Path=self.root,
                          ParameterFilters=[{"Key": "Label", "Option": "BeginsWith", "Values": ["p"]}])

    def test_paths_must_be_hierarchies(self):
        self.assert_error("ValidationException", BAD_PATH_MESSAGE, self.ssm.get_parameters_by_path, Path="no-slash")
        self.assert_error("ValidationException", BAD_PATH_MESSAGE, self.ssm.describe_parameters,
                          ParameterFilters=[{"Key": "Path", "Values": ["/a b"]}])


class Describe(SsmCase):
    def setUp(self):
        super().setUp()
        self.put(self.root + "/web/url", "u", Tags=[{"Key": "team", "Value": "web"}])
        self.put(self.root + "/web/deep/key", "k", type="SecureString")
        self.put(self.root + "/db/host", "h", type="StringList", Tier="Advanced")
        self.put(self.root + "/ami", "ami-12345678", DataType="aws:ec2:image")

    def names(self, filters, **kwargs):
        filters = [{"Key": "Path", "Option": "Recursive", "Values": [self.root]}] + filters
        return sorted(p["Name"][len(self.root):] for p in
                      self.ssm.describe_parameters(ParameterFilters=filters, **kwargs)["Parameters"])

    def test_parameter_filters(self):
        self.assertEqual(self.names([]), ["/ami", "/db/host", "/web/deep/key", "/web/url"])
        self.assertEqual(self.names([{"Key": "Name", "Option": "BeginsWith", "Values": [self.root + "/web"]}]),
                         ["/web/deep/key", "/web/url"])
        self.assertEqual(self.names([{"Key": "Name", "Option": "Contains", "Values": ["deep"]}]), ["/web/deep/key"])
        self.assertEqual(self.names([{"Key": "Name", "Values": [self.root + "/ami"]}]), ["/ami"])
        self.assertEqual(self.names([{"Key": "Type", "Values": ["SecureString", "StringList"]}]),
                         ["/db/host", "/web/deep/key"])
        self.assertEqual(self.names([{"Key": "Tier", "Values": ["Advanced"]}]), ["/db/host"])
        self.assertEqual(self.names([{"Key": "DataType", "Values": ["aws:ec2:image"]}]), ["/ami"])
        self.assertEqual(self.names([{"Key": "tag:team", "Values": ["web"]}]), ["/web/url"])
        self.assertEqual(self.names([{"Key": "KeyId", "Option": "BeginsWith", "Values": ["alias/aws"]}]),
                         ["/web/deep/key"])
        one_level = self.ssm.describe_parameters(
            ParameterFilters=[{"Key": "Path", "Values": [self.root + "/web"]}])["Parameters"]
        self.assertEqual([p["Name"] for p in one_level], [self.root + "/web/url"])

    def test_filter_errors(self):
        self.assert_error("InvalidFilterKey",
                          "The following filter key is not valid: Label. Valid filter keys include: [Path, Name, "
                          "Type, KeyId, Tier].", self.ssm.describe_parameters,
                          ParameterFilters=[{"Key": "Label", "Values": ["x"]}])
        self.assert_error("InvalidFilterOption",
                          "The following filter option is not valid: Contains. Valid options include: [BeginsWith, "
                          "Equals].", self.ssm.describe_parameters,
                          ParameterFilters=[{"Key": "Type", "Option": "Contains", "Values": ["String"]}])
        self.assert_error("InvalidFilterOption",
                          "The following filter option is not valid: Equals. Valid options include: [Recursive, "
                          "OneLevel].", self.ssm.describe_parameters,
                          ParameterFilters=[{"Key": "Path", "Option": "Equals", "Values": ["/x"]}])
        self.assert_error("InvalidFilterOption",
                          "The following filter value is not valid: Number. Valid values include: [String, "
                          "StringList, SecureString].", self.ssm.describe_parameters,
                          ParameterFilters=[{"Key": "Type", "Values": ["Number"]}])
        self.assert_error("InvalidFilterOption",
                          "The following filter value is not valid: Gold. Valid values include: [Standard, Advanced, "
                          "Intelligent-Tiering].", self.ssm.describe_parameters,
                          ParameterFilters=[{"Key": "Tier", "Values": ["Gold"]}])
        self.assert_error("InvalidFilterKey",
                          "The following filter is duplicated in the request: Type. A request can contain only one "
                          "occurrence of a specific filter.", self.ssm.describe_parameters,
                          ParameterFilters=[{"Key": "Type", "Values": ["String"]},
                                            {"Key": "Type", "Values": ["StringList"]}])
        self.assert_error("InvalidFilterValue",
                          "The following filter values are missing : null for filter key Name.",
                          self.ssm.describe_parameters, ParameterFilters=[{"Key": "Name"}])
        self.assert_error("ValidationException",
                          "Filters for common parameters can't be prefixed with \"aws\" or \"ssm\" "
                          "(case-insensitive). When using global parameters, please specify within a global "
                          "namespace.", self.ssm.describe_parameters,
                          ParameterFilters=[{"Key": "Path", "Values": ["/aws/service"]}])
        self.assert_error("ValidationException", "You can use either Filters or ParameterFilters in a single request.",
                          self.ssm.describe_parameters, Filters=[{"Key": "Name", "Values": ["x"]}],
                          ParameterFilters=[{"Key": "Name", "Values": ["x"]}])

    def test_metadata_and_pages(self):
        meta = self.ssm.describe_parameters(
            ParameterFilters=[{"Key": "Name", "Values": [self.root + "/web/url"]}])["Parameters"][0]
        caller = client("sts", EDDY.endpoint).get_caller_identity()["Arn"]
        self.assertEqual(meta["LastModifiedUser"], caller)
        self.assertEqual(meta["Policies"], [])
        self.assertEqual((meta["Version"], meta["Type"], meta["Tier"], meta["DataType"]),
                         (1, "String", "Standard", "text"))
        # boto3 1.26's model predates ParameterMetadata's ARN, and drops it.
        if "ARN" in self.ssm.meta.service_model.shape_for("ParameterMetadata").members:
            self.assertEqual(meta["ARN"], f"arn:aws:ssm:us-east-1:000000000000:parameter{self.root}/web/url")
        names = []
        for page in self.ssm.get_paginator("describe_parameters").paginate(
                ParameterFilters=[{"Key": "Path", "Option": "Recursive", "Values": [self.root]}],
                PaginationConfig={"PageSize": 1}):
            self.assertLessEqual(len(page["Parameters"]), 1)
            names += [p["Name"] for p in page["Parameters"]]
        self.assertEqual(len(names), 4)
        old_style = self.ssm.describe_parameters(Filters=[{"Key": "Name", "Values": [self.root + "/web"]}])
        self.assertEqual(sorted(p["Name"] for p in old_style["Parameters"]),
                         [self.root + "/web/deep/key", self.root + "/web/url"])


class HistoryAndLabels(SsmCase):
    def test_history_with_labels_and_pages(self):
        name = self.root + "/h"
        self.put(name, "1", Description="d")
        for v in "234":
            self.ssm.put_parameter(Name=name, Value=v, Overwrite=True)
        self.ssm.label_parameter_version(Name=name, ParameterVersion=2, Labels=["a", "b"])
        first = self.ssm.get_parameter_history(Name=name, MaxResults=3)
        self.assertEqual([p["Version"] for p in first["Parameters"]], [1, 2, 3])
        self.assertEqual(first["Parameters"][1]["Labels"], ["a", "b"])
        self.assertEqual(first["Parameters"][0]["Labels"], [])
        self.assertEqual(first["Parameters"][0]["Description"], "d")
        rest = self.ssm.get_parameter_history(Name=name, MaxResults=3, NextToken=first["NextToken"])
        self.assertEqual([p["Value"] for p in rest["Parameters"]], ["4"])
        self.assertNotIn("NextToken", rest)
        self.assert_error("ParameterNotFound", None, self.ssm.get_parameter_history, Name=self.root + "/none")

    def test_labels_move_between_versions(self):
        name = self.root + "/l"
        self.put(name, "1")
        self.ssm.put_parameter(Name=name, Value="2", Overwrite=True)
        out = self.ssm.label_parameter_version(Name=name, Labels=["prod"])
        self.assertEqual((out["ParameterVersion"], out["InvalidLabels"]), (2, []))
        self.ssm.label_parameter_version(Name=name, ParameterVersion=1, Labels=["prod"])
        labels = {p["Version"]: p["Labels"] for p in self.ssm.get_parameter_history(Name=name)["Parameters"]}
        self.assertEqual(labels, {1: ["prod"], 2: []})
        self.assertEqual(self.ssm.get_parameter(Name=name + ":prod")["Parameter"]["Value"], "1")

    def test_invalid_labels_and_limits(self):
        name = self.root + "/l"
        self.put(name, "1")
        out = self.ssm.label_parameter_version(Name=name, Labels=["ok", "1st", "awsx", "ssm.y", "sp ace"])
        self.assertEqual(out["InvalidLabels"], ["1st", "awsx", "ssm.y", "sp ace"])
        self.ssm.label_parameter_version(Name=name, Labels=[f"l{i}" for i in range(9)])
        self.assert_error("ParameterVersionLabelLimitExceeded",
                          "An error occurred (ParameterVersionLabelLimitExceeded) when calling the "
                          "LabelParameterVersion operation: A parameter version can have maximum 10 labels.Move one "
                          "or more labels to another version and try again.", self.ssm.label_parameter_version,
                          Name=name, Labels=["more"])
        self.assert_error("ParameterVersionNotFound",
                          f"Systems Manager could not find version 5 of {name}. Verify the version and try again.",
                          self.ssm.label_parameter_version, Name=name, ParameterVersion=5, Labels=["x"])
        self.assert_error("ParameterNotFound", None, self.ssm.label_parameter_version, Name=self.root + "/none",
                          Labels=["x"])

    def test_unlabel(self):
        name = self.root + "/u"
        self.put(name, "1")
        self.ssm.label_parameter_version(Name=name, Labels=["a", "b"])
        out = self.ssm.unlabel_parameter_version(Name=name, ParameterVersion=1, Labels=["a", "zzz"])
        self.assertEqual((out["RemovedLabels"], out["InvalidLabels"]), (["a"], ["zzz"]))
        self.assertEqual(self.ssm.get_parameter_history(Name=name)["Parameters"][0]["Labels"], ["b"])
        self.assert_error("ParameterVersionNotFound", None, self.ssm.unlabel_parameter_version, Name=name,
                          ParameterVersion=3, Labels=["b"])


class DeleteAndTags(SsmCase):
    def test_delete(self):
        self.put(self.root + "/a")
        self.put(self.root + "/b")
        self.ssm.delete_parameter(Name=self.root + "/a")
        self.assert_error("ParameterNotFound", None, self.ssm.get_parameter, Name=self.root + "/a")
        self.assert_error("ParameterNotFound", None, self.ssm.delete_parameter, Name=self.root + "/a")
        out = self.ssm.delete_parameters(Names=[self.root + "/b", self.root + "/gone"])
        self.assertEqual((out["DeletedParameters"], out["InvalidParameters"]), ([self.root + "/b"],
                                                                               [self.root + "/gone"]))
        # A name deleted starts again at version 1.
        self.assertEqual(self.put(self.root + "/a")["Version"], 1)

    def test_tags(self):
        name = self.root + "/t"
        self.put(name, Tags=[{"Key": "b", "Value": "2"}])
        self.ssm.add_tags_to_resource(ResourceType="Parameter", ResourceId=name,
                                      Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "3"}])
        tags = self.ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)["TagList"]
        self.assertEqual(tags, [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "3"}])
        self.ssm.remove_tags_from_resource(ResourceType="Parameter", ResourceId=name, TagKeys=["a"])
        tags = self.ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)["TagList"]
        self.assertEqual(tags, [{"Key": "b", "Value": "3"}])
        self.assert_error("InvalidResourceId", None, self.ssm.list_tags_for_resource, ResourceType="Parameter",
                          ResourceId=self.root + "/none")
        self.assert_error("ValidationException", None, self.ssm.list_tags_for_resource, ResourceType="Bucket",
                          ResourceId=name)
        self.assert_error("ValidationException", BAD_PATH_MESSAGE, self.ssm.list_tags_for_resource,
                          ResourceType="Parameter", ResourceId=name[1:])
        self.assert_error("TooManyTagsError", None, self.ssm.add_tags_to_resource, ResourceType="Parameter",
                          ResourceId=name, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])


class Cli(SsmCase):
    def run_cli(self, cli, *args):
        out = subprocess.run([cli, "ssm", *args, "--endpoint-url", EDDY.endpoint, "--output", "json"],
                             env=cli_env(EDDY.endpoint), capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        return json.loads(out.stdout) if out.stdout.strip() else {}

    def check_cli(self, cli):
        name = f"{self.root}/{os.path.basename(cli)}-{cli.count('/')}/value"
        put = self.run_cli(cli, "put-parameter", "--name", name, "--value", "from cli", "--type", "SecureString")
        self.assertEqual(put["Version"], 1)
        got = self.run_cli(cli, "get-parameter", "--name", name, "--with-decryption")["Parameter"]
        self.assertEqual(got["Value"], "from cli")
        listed = self.run_cli(cli, "get-parameters-by-path", "--path", self.root, "--recursive")["Parameters"]
        self.assertIn(name, [p["Name"] for p in listed])
        fail = subprocess.run([cli, "ssm", "get-parameter", "--name", name + "-missing", "--endpoint-url",
                               EDDY.endpoint], env=cli_env(EDDY.endpoint), capture_output=True, text=True,
                              timeout=60)
        self.assertNotEqual(fail.returncode, 0)
        self.assertIn("ParameterNotFound", fail.stderr)

    def test_cli_v1(self):
        self.check_cli("aws")

    def test_cli_v2(self):
        self.check_cli("/usr/bin/aws")


class StepFunctions(SsmCase):
    def run_machine(self, definition, name):
        sfn = client("stepfunctions", EDDY.endpoint)
        arn = sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]
        ex = sfn.start_execution(stateMachineArn=arn)["executionArn"]
        deadline = time.time() + 10
        while True:
            d = sfn.describe_execution(executionArn=ex)
            if d["status"] != "RUNNING" or time.time() > deadline:
                return d
            time.sleep(0.02)

    def test_a_state_machine_reads_a_parameter(self):
        name = self.root + "/config"
        self.put(name, "s3cret", type="SecureString")
        r = self.run_machine({"StartAt": "Read", "States": {"Read": {
            "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:ssm:getParameter",
            "Parameters": {"Name": name, "WithDecryption": True},
            "ResultSelector": {"value.$": "$.Parameter.Value", "version.$": "$.Parameter.Version"},
            "End": True}}}, "ssm-read-" + self.root[1:])
        self.assertEqual(r["status"], "SUCCEEDED", r)
        self.assertEqual(json.loads(r["output"]), {"value": "s3cret", "version": 1})

    def test_a_missing_parameter_is_caught_by_name(self):
        r = self.run_machine({"StartAt": "Read", "States": {
            "Read": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:ssm:getParameter",
                     "Parameters": {"Name": self.root + "/missing"},
                     "Catch": [{"ErrorEquals": ["Ssm.ParameterNotFoundException"], "Next": "Missing"}],
                     "End": True},
            "Missing": {"Type": "Pass", "End": True}}}, "ssm-missing-" + self.root[1:])
        self.assertEqual(r["status"], "SUCCEEDED", r)
        self.assertEqual(json.loads(r["output"])["Error"], "Ssm.ParameterNotFoundException")


class Durability(unittest.TestCase):
    def test_parameters_survive_a_restart(self):
        data = tempfile.mkdtemp(prefix="eddy-ssm-data-")
        try:
            eddy = Eddy(data_dir=data).start()
            ssm = client("ssm", eddy.endpoint)
            ssm.put_parameter(Name="/durable/a", Value="1", Type="String", Tags=[{"Key": "k", "Value": "v"}])
            ssm.put_parameter(Name="/durable/a", Value="2", Overwrite=True)
            ssm.label_parameter_version(Name="/durable/a", ParameterVersion=1, Labels=["old"])
            ssm.put_parameter(Name="/durable/s", Value="secret", Type="SecureString", KeyId="alias/k")
            self.assertEqual(eddy.stop(signal.SIGKILL), -signal.SIGKILL)

            eddy = Eddy(data_dir=data).start()
            ssm = client("ssm", eddy.endpoint)
            self.assertEqual(ssm.get_parameter(Name="/durable/a")["Parameter"]["Value"], "2")
            self.assertEqual(ssm.get_parameter(Name="/durable/a:old")["Parameter"]["Value"], "1")
            s = ssm.get_parameter(Name="/durable/s", WithDecryption=True)["Parameter"]
            self.assertEqual(s["Value"], "secret")
            self.assertEqual(ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="/durable/a")["TagList"],
                             [{"Key": "k", "Value": "v"}])
            self.assertEqual(ssm.put_parameter(Name="/durable/a", Value="3", Overwrite=True)["Version"], 3)
            eddy.stop()
        finally:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
