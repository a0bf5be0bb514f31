#!/usr/bin/env python3
"""validate.py FILE...: every .json file must be JSON Lines (one valid JSON
object per line) and every .csv file RFC 4180 CSV whose rows all have as many
columns as the header; all of it valid UTF-8. Prints the first problem of each
bad file; exit status 1 if any."""
import csv, json, sys
bad = 0
for path in sys.argv[1:]:
    if path.endswith('.json'):
        for i, line in enumerate(open(path, encoding='utf-8', errors='strict'), 1):
            try:
                json.loads(line)
            except Exception as e:
                print(f'{path}:{i}: invalid JSON: {e}: {line[:120]!r}'); bad += 1; break
    elif path.endswith('.csv'):
        with open(path, newline='', encoding='utf-8', errors='strict') as f:
            r = csv.reader(f)
            hdr = next(r, None)
            for i, row in enumerate(r, 2):
                if len(row) != len(hdr):
                    print(f'{path}:{i}: {len(row)} columns, header has {len(hdr)}'); bad += 1; break
sys.exit(1 if bad else 0)
