#!/usr/bin/env python3
"""End-to-end tests of `nqdb dna`: compress and decompress restore a FASTA
file byte for byte (with and without ECC), `stats` describes a container,
and `decompress` rejects a foreign file and a damaged container with exit
status 1, a message on stderr and no output file.

Usage: test_dna_command.py --nqdb PATH/TO/nqdb [unittest arguments]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import unittest

NQDB = None

# Headers, lowercase (soft-masked) bases, a run of N and CRLF line ends:
# every part of the FASTA layout the container has to restore exactly.
FASTA = (
    b">chr1 test sequence\r\n"
    + b"ACGTACGTTAGCCGATAGCTAGCTAGGATCCGATCGATCGTAGCTAGCTAGCTAGCATCG\r\n" * 20
    + b"acgtacgtnnnnACGTAGCTAGGCTAGCATCGACTAGCATCGATCGACTACGACTAGCAT\r\n"
    + b"NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN\r\n" * 3
    + b">chr2\r\n"
    + b"ggatccgatcgatcgatcgactagctagctagcatcgatcgactagcatcgactagcatc\r\n" * 10
    + b"TTAGGC\r\n"
)


class DnaCommandTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, data):
        with open(self.path(name), "wb") as f:
            f.write(data)
        return self.path(name)

    def read(self, name):
        with open(self.path(name), "rb") as f:
            return f.read()

    def nqdb(self, *args):
        return subprocess.run([NQDB, "dna", *args], capture_output=True, text=True, timeout=60)

    def assertOk(self, result):
        self.assertEqual(result.returncode, 0, f"stdout: {result.stdout}\nstderr: {result.stderr}")
        return result

    def round_trip(self, *compress_flags):
        source = self.write("in.fa", FASTA)
        self.assertOk(self.nqdb("compress", source, self.path("in.nqdna"), *compress_flags))
        self.assertOk(self.nqdb("decompress", self.path("in.nqdna"), self.path("out.fa")))
        self.assertEqual(self.read("out.fa"), FASTA)
        return self.read("in.nqdna")

    def assertRejected(self, container_bytes):
        container = self.write("bad.nqdna", container_bytes)
        result = self.nqdb("decompress", container, self.path("out.fa"))
        self.assertEqual(result.returncode, 1, f"stdout: {result.stdout}\nstderr: {result.stderr}")
        self.assertTrue(result.stderr.startswith("nqdb: "), result.stderr)
        self.assertIn("bad.nqdna", result.stderr)
        self.assertFalse(os.path.exists(self.path("out.fa")))
        self.assertFalse(os.path.exists(self.path("out.fa.tmp")))

    def test_round_trip(self):
        packed = self.round_trip()
        self.assertLess(len(packed), len(FASTA) // 2)

    def test_round_trip_with_ecc_low(self):
        plain = self.round_trip()
        protected = self.round_trip("--ecc", "low")
        self.assertGreater(len(protected), len(plain))

    def test_compress_reports_bits_per_base(self):
        source = self.write("in.fa", FASTA)
        result = self.assertOk(self.nqdb("compress", source, self.path("in.nqdna")))
        self.assertIn("bits/base", result.stdout)

    def test_stats(self):
        self.round_trip()
        result = self.assertOk(self.nqdb("stats", self.path("in.nqdna")))
        bases = sum(1 for b in FASTA.split(b"\r\n") if not b.startswith(b">")
                    for c in b if chr(c) in "ACGTacgt")
        self.assertIn(f"bases (A/C/G/T): {bases}\n", result.stdout)
        self.assertRegex(result.stdout, r"bits per base:\s+\d+\.\d{4}")

    def test_foreign_file_is_rejected(self):
        self.assertRejected(b"this is not a DNA container, just some text\n" * 4)

    def test_truncated_container_is_rejected(self):
        packed = self.round_trip()
        os.remove(self.path("out.fa"))
        self.assertRejected(packed[: len(packed) // 2])

    def test_damaged_container_is_rejected(self):
        packed = bytearray(self.round_trip())
        os.remove(self.path("out.fa"))
        middle = len(packed) // 2
        packed[middle] ^= 0x5A
        packed[middle + 1] ^= 0xA5
        self.assertRejected(bytes(packed))

    def test_missing_input_is_rejected(self):
        result = self.nqdb("decompress", self.path("absent.nqdna"), self.path("out.fa"))
        self.assertEqual(result.returncode, 1)
        self.assertTrue(result.stderr.startswith("nqdb: "), result.stderr)
        self.assertFalse(os.path.exists(self.path("out.fa")))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--nqdb", required=True)
    args, rest = parser.parse_known_args()
    NQDB = os.path.abspath(args.nqdb)
    unittest.main(argv=[sys.argv[0], *rest])
