#!/usr/bin/env python3
"""Relevance benchmark: known-item queries over ../shared/corpus.

For every query in queries.tsv (columns: id, split, kind, query, path) the
expected answer is one note.  Four systems answer each query with a ranked
list of at most 10 paths, all over the same files (*.md outside hidden
folders):

  notes-search       build/notes-index + build/notes-search -l -n 10
  fts5-unicode61     plain SQLite FTS5, tokenize='unicode61', bm25, the query
                     words ANDed as quoted strings ("a b" phrases kept)
  fts5-porter        the same with tokenize='porter unicode61'
  ripgrep            files containing every word (rg -i -F), ranked by the
                     number of matching lines

and the script prints MRR@10, success@1 and success@10 per kind and overall,
for the dev and the test half separately.  Nothing here is tuned per query.

Usage: bench/relevance/run.py [--corpus DIR] [--split dev|test|all]
                              [--write-results]
"""
import argparse
import datetime
import os
import re
import shlex
import sqlite3
import subprocess
import sys
import tempfile
from collections import defaultdict

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HERE = os.path.dirname(os.path.abspath(__file__))
SYSTEMS = ["notes-search", "fts5-unicode61", "fts5-porter", "ripgrep"]
KINDS = ["kw", "morph", "typo", "phrase", "cjk", "fr", "case", "natural"]


def load_queries(path):
    qs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) < 5:
                sys.exit(f"bad line in {path}: {line!r}")
            qid, split, kind, query, target = cols[:5]
            qs.append(dict(id=qid, split=split, kind=kind, query=query, path=target))
    return qs


def corpus_files(corpus):
    """The candidate notes, as notes-index sees them: *.md / *.markdown,
    hidden files and folders skipped."""
    out = []
    for root, dirs, files in os.walk(corpus):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            if name.lower().endswith((".md", ".markdown")):
                out.append(os.path.join(root, name))
    return out


def query_words(q):
    """Split a query into quoted phrases and bare words, as a user meant it."""
    parts = re.findall(r'"([^"]*)"|(\S+)', q)
    return [(a, True) if a else (b, False) for a, b in parts if (a or b).strip()]


# ---- systems -----------------------------------------------------------------

def run_notes_search(queries, corpus, work):
    db = os.path.join(work, "notes.db")
    subprocess.run([os.path.join(TOP, "build", "notes-index"), "-q", "--db", db, corpus],
                   check=True, stderr=subprocess.DEVNULL)
    res = {}
    for q in queries:
        p = subprocess.run([os.path.join(TOP, "build", "notes-search"), "--db", db, "-l",
                            "-n", "10", "--", q["query"]],
                           capture_output=True, text=True, errors="replace")
        res[q["id"]] = [l for l in p.stdout.splitlines() if l][:10]
    return res


def fts5_load(files, tokenize, work):
    db = sqlite3.connect(os.path.join(work, f"fts5-{tokenize.replace(' ', '-')}.db"))
    db.execute(f"CREATE VIRTUAL TABLE t USING fts5(path UNINDEXED, body, tokenize='{tokenize}')")
    with db:
        for path in files:
            with open(path, "rb") as f:
                body = f.read().decode("utf-8", "replace")
            db.execute("INSERT INTO t(path, body) VALUES (?, ?)", (path, body))
    return db


def fts5_expr(q):
    terms = []
    for text, _phrase in query_words(q):
        terms.append('"' + text.replace('"', '""') + '"')
    return " AND ".join(terms)


def run_fts5(queries, files, tokenize, work):
    db = fts5_load(files, tokenize, work)
    res = {}
    for q in queries:
        expr = fts5_expr(q["query"])
        try:
            rows = db.execute("SELECT path FROM t WHERE t MATCH ? ORDER BY bm25(t) LIMIT 10",
                              (expr,)).fetchall()
        except sqlite3.Error:
            rows = []
        res[q["id"]] = [r[0] for r in rows]
    return res


def run_ripgrep(queries, corpus):
    res = {}
    for q in queries:
        counts = None
        for text, _phrase in query_words(q["query"]):
            p = subprocess.run(["rg", "-i", "-F", "-c", "--glob", "*.md", "--", text, corpus],
                               capture_output=True, text=True, errors="replace")
            c = {}
            for line in p.stdout.splitlines():
                path, _, n = line.rpartition(":")
                if path:
                    c[path] = int(n)
            counts = c if counts is None else {k: counts[k] + v for k, v in c.items() if k in counts}
        ranked = sorted((counts or {}).items(), key=lambda kv: (-kv[1], kv[0]))
        res[q["id"]] = [k for k, _ in ranked[:10]]
    return res


# ---- metrics -----------------------------------------------------------------

def rank_of(results, target):
    for i, p in enumerate(results):
        if p == target:
            return i + 1
    return 0


def metrics(queries, results, corpus):
    rows = defaultdict(lambda: [0, 0.0, 0, 0])   # n, rr, s1, s10
    for q in queries:
        target = os.path.join(corpus, q["path"])
        r = rank_of(results[q["id"]], target)
        for key in (q["kind"], "all"):
            m = rows[key]
            m[0] += 1
            m[1] += 1.0 / r if r else 0.0
            m[2] += r == 1
            m[3] += 1 <= r <= 10
    return {k: (v[0], v[1] / v[0], v[2] / v[0], v[3] / v[0]) for k, v in rows.items()}


def table(title, per_system):
    out = [f"### {title}", "",
           "| kind | n | " + " | ".join(f"{s} MRR@10 / s@1 / s@10" for s in SYSTEMS) + " |",
           "|---|---|" + "---|" * len(SYSTEMS)]
    for kind in KINDS + ["all"]:
        if kind not in per_system[SYSTEMS[0]]:
            continue
        n = per_system[SYSTEMS[0]][kind][0]
        cells = []
        for s in SYSTEMS:
            _, mrr, s1, s10 = per_system[s][kind]
            cells.append(f"{mrr:.3f} / {s1:.2f} / {s10:.2f}")
        name = f"**{kind}**" if kind == "all" else kind
        out.append(f"| {name} | {n} | " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=os.path.join(TOP, "..", "shared", "corpus"))
    ap.add_argument("--queries", default=os.path.join(HERE, "queries.tsv"))
    ap.add_argument("--split", default="all", choices=["dev", "test", "all"])
    ap.add_argument("--write-results", action="store_true",
                    help="also write bench/relevance/RESULTS.md")
    ap.add_argument("--misses", action="store_true",
                    help="list the notes-search misses (dev split only, for tuning)")
    a = ap.parse_args()
    corpus = os.path.realpath(a.corpus)
    if not os.path.isdir(corpus):
        sys.exit(f"no corpus at {corpus}")
    queries = load_queries(a.queries)
    for q in queries:
        if not os.path.exists(os.path.join(corpus, q["path"])):
            sys.exit(f"query {q['id']}: no file {q['path']}")
    files = corpus_files(corpus)
    with tempfile.TemporaryDirectory() as work:
        results = {
            "notes-search": run_notes_search(queries, corpus, work),
            "fts5-unicode61": run_fts5(queries, files, "unicode61", work),
            "fts5-porter": run_fts5(queries, files, "porter unicode61", work),
            "ripgrep": run_ripgrep(queries, corpus),
        }
    splits = ["dev", "test"] if a.split == "all" else [a.split]
    text = [f"Relevance benchmark, {datetime.date.today().isoformat()}: "
            f"{len(queries)} known-item queries over {len(files)} notes "
            f"(cells: MRR@10 / success@1 / success@10).", ""]
    for split in splits:
        qs = [q for q in queries if q["split"] == split]
        per = {s: metrics(qs, results[s], corpus) for s in SYSTEMS}
        text.append(table(f"{split} ({len(qs)} queries)", per))
    report = "\n".join(text)
    print(report)
    if a.misses:
        for q in queries:
            if q["split"] != "dev":
                continue
            r = rank_of(results["notes-search"][q["id"]], os.path.join(corpus, q["path"]))
            if r != 1:
                print(f"{q['id']}\t{q['kind']}\trank {r or '>10'}\t{q['query']}\t{q['path']}")
    if a.write_results:
        with open(os.path.join(HERE, "RESULTS.md"), "w", encoding="utf-8") as f:
            f.write("# Relevance results\n\n"
                    "Made by `make relevance` (bench/relevance/run.py --write-results).\n\n")
            f.write(report)


if __name__ == "__main__":
    main()
