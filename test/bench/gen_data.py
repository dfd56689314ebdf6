#!/usr/bin/env python3
"""Write the benchmark's single large body: a JSON array of rows 1..N.

Usage: gen_data.py FILE N
The same bytes are served by nginx (rest_fdw, baselines a and b) and read
with pg_read_file (baseline c); FILE.csv holds the same rows as CSV, for
file_fdw (baseline d).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rows  # noqa: E402

path, n = sys.argv[1], int(sys.argv[2])
with open(path + ".tmp", "wb") as f:
    f.write(rows.rows_json(1, n))
os.chmod(path + ".tmp", 0o644)
os.rename(path + ".tmp", path)
with open(path + ".csv.tmp", "wb") as f:
    f.write(rows.rows_csv(1, n))
os.chmod(path + ".csv.tmp", 0o644)
os.rename(path + ".csv.tmp", path + ".csv")
