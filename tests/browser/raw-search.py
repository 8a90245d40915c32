"""The raw limit of the search figure: the same queries as the benchmark
sends, each run by bare SQLite (Python's sqlite3) on the same database
`gloss serve` uses, reading what a search reads from the full-text indexes:
the newest 1,001 matches of the episode index and of the highlight index,
without ranking, snippets or the rows themselves. Prints the median and p95
of ROUNDS rounds of all the queries, one time per query, in milliseconds as
JSON.

Usage: python3 raw-search.py DB_FILE ROUNDS QUERY..."""

import json
import sqlite3
import sys
import time

db, rounds, queries = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
times = []
for _ in range(rounds):
    for query in queries:
        started = time.perf_counter()
        for index in ("search_index", "highlight_index"):
            conn.execute(f"SELECT rowid FROM {index} WHERE {index} MATCH ? ORDER BY rowid DESC LIMIT 1001", (query,)).fetchall()
        times.append((time.perf_counter() - started) * 1000)
times.sort()
print(json.dumps({"p50": times[len(times) // 2], "p95": times[min(len(times) - 1, int(len(times) * 0.95))]}))
