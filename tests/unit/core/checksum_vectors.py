"""Writes checksum_vectors.txt, the expected values for eddy's checksum tests, from
implementations other than eddy's. Run with Debian's python3 (it has python3-awscrt, which the
AWS CLI v2 package brings, and python3-crcmod):

    /usr/bin/python3 tests/unit/core/checksum_vectors.py > tests/unit/core/checksum_vectors.txt

CRC32 is zlib's; CRC32C is the AWS Common Runtime's (what botocore uses); CRC64NVME is crcmod's
generic CRC with the NVMe polynomial, checked against the catalogue check value of CRC-64/NVME;
SHA1 and SHA256 are hashlib's. Each line: algorithm, input, base64 of the big-endian digest.
An input is "text:<ascii>" or "pattern:<n>" (n bytes, byte i = (i*131 + i//512) % 256)."""

import base64
import hashlib
import zlib

import awscrt.checksums
import crcmod

crc64nvme = crcmod.mkCrcFun(0x1AD93D23594C93659, initCrc=0, rev=True, xorOut=0xFFFFFFFFFFFFFFFF)
assert crc64nvme(b"123456789") == 0xAE8B14860A799888  # CRC-64/NVME's check value
assert awscrt.checksums.crc32c(b"123456789") == 0xE3069283  # CRC-32C's check value
assert zlib.crc32(b"123456789") == 0xCBF43926  # CRC-32's check value


def pattern(n):
    return bytes((i * 131 + i // 512) % 256 for i in range(n))


def raw(algorithm, data):
    if algorithm == "CRC32":
        return zlib.crc32(data).to_bytes(4, "big")
    if algorithm == "CRC32C":
        return awscrt.checksums.crc32c(data).to_bytes(4, "big")
    if algorithm == "CRC64NVME":
        return crc64nvme(data).to_bytes(8, "big")
    return hashlib.new(algorithm.lower(), data).digest()


inputs = ["text:", "text:a", "text:123456789", "text:The quick brown fox jumps over the lazy dog",
          "pattern:7", "pattern:64", "pattern:1000", "pattern:100003"]
for algorithm in ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"]:
    for spec in inputs:
        kind, _, value = spec.partition(":")
        data = value.encode() if kind == "text" else pattern(int(value))
        print(algorithm, spec, base64.b64encode(raw(algorithm, data)).decode())

# Multipart: a COMPOSITE checksum is the algorithm over the parts' raw checksums, then "-<parts>".
# Parts here are pattern:100003 cut at 0, 5000, 5001 and 70000.
whole = pattern(100003)
parts = [whole[0:5000], whole[5000:5001], whole[5001:70000], whole[70000:]]
for algorithm in ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"]:
    joined = b"".join(raw(algorithm, p) for p in parts)
    print("composite", algorithm, base64.b64encode(raw(algorithm, joined)).decode() + f"-{len(parts)}")
