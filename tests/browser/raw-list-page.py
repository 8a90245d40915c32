"""The raw limit of the episode list's page figures: one page of 50 rows of
the `added` order, read by a bare SQLite query (Python's sqlite3) from the
same database `gloss serve` uses, after the same cursor, with the same
columns. A first page (DEPTH 0) also counts the episodes and each show's
episodes, as the API's first page does (its `total` and `shows`), the
plainest way: a count of every row and a GROUP BY. Prints the median and
p95 of ROUNDS reads in milliseconds as JSON.

Usage: python3 raw-list-page.py DB_FILE DEPTH ROUNDS
(DEPTH: how many rows the page starts after.)"""

import json
import sqlite3
import sys
import time

db, depth, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
row = conn.execute("SELECT newest FROM episodes ORDER BY newest LIMIT 1 OFFSET ?", (max(depth - 1, 0),)).fetchone()
after = row[0] if row and depth > 0 else -(2**62)
query = """SELECT e.id, e.path, e.title, e.show, e.kind, e.status, e.error, e.first_seen, e.updated_at,
                  m.highlight_count, m.attention_count, m.read, m.last_read, e.newest
           FROM episodes e CROSS JOIN episode_marks m ON m.episode_id = e.id
           WHERE e.newest > ? ORDER BY e.newest LIMIT 50"""
first_page = [
    "SELECT count(*) FROM episodes",
    "SELECT show, count(*) FROM episodes WHERE show IS NOT NULL GROUP BY show",
] if depth == 0 else []
times = []
for _ in range(rounds):
    started = time.perf_counter()
    conn.execute(query, (after,)).fetchall()
    for counts in first_page:
        conn.execute(counts).fetchall()
    times.append((time.perf_counter() - started) * 1000)
times.sort()
print(json.dumps({"p50": times[len(times) // 2], "p95": times[min(len(times) - 1, int(len(times) * 0.95))]}))
