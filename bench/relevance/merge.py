#!/usr/bin/env python3
"""Merge the per-area query files (queries-*.tsv: kind, query, path, reason)
into queries.tsv (id, split, kind, query, path, reason), splitting once into
dev and test: within each kind, queries alternate dev/test in file order, so
both halves hold every kind.  Run once when queries are added; the split
column is then fixed in queries.tsv (tuning looks at dev only)."""
import glob
import os
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
rows, seen = [], set()
for name in sorted(glob.glob(os.path.join(HERE, "queries-*.tsv"))):
    area = os.path.basename(name)[len("queries-"):-len(".tsv")]
    with open(name, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            kind, query, path, reason = (line.split("\t") + ["", ""])[:4]
            if path in seen:          # one query per target note
                continue
            seen.add(path)
            rows.append((area, kind.strip(), query.strip(), path.strip(), reason.strip()))
count = defaultdict(int)
out = ["# id\tsplit\tkind\tquery\tpath (relative to ../shared/corpus)\treason"]
for i, (area, kind, query, path, reason) in enumerate(rows, 1):
    split = "dev" if count[kind] % 2 == 0 else "test"
    count[kind] += 1
    out.append(f"{area}-{i:03d}\t{split}\t{kind}\t{query}\t{path}\t{reason}")
with open(os.path.join(HERE, "queries.tsv"), "w", encoding="utf-8") as f:
    f.write("\n".join(out) + "\n")
print(f"{len(rows)} queries: " + ", ".join(f"{k} {v}" for k, v in sorted(count.items())))
