#!/usr/bin/env python3
"""validate.py FILE...      every .json file must be JSON Lines (one valid JSON
                          object per line) and every .csv file RFC 4180 CSV
                          whose rows all have as many columns as the header;
                          all of it valid UTF-8.
validate.py --dirs DIR... the same for the files in each DIR.
Prints the first problem of each bad file (with --dirs as "DIR: problem");
exit status 1 if there is any."""
import csv
import json
import os
import sys


def problem(path):
    """The first problem of one file, or None."""
    try:
        if path.endswith(".json"):
            with open(path, encoding="utf-8", errors="strict") as f:
                for i, line in enumerate(f, 1):
                    try:
                        obj = json.loads(line)
                    except ValueError as e:
                        return "%s:%d: invalid JSON: %s: %r" % (os.path.basename(path), i, e, line[:100])
                    if not isinstance(obj, dict):
                        return "%s:%d: not a JSON object" % (os.path.basename(path), i)
        elif path.endswith(".csv"):
            with open(path, newline="", encoding="utf-8", errors="strict") as f:
                r = csv.reader(f)
                hdr = next(r, None)
                for i, row in enumerate(r, 2):
                    if hdr is None or len(row) != len(hdr):
                        return "%s:%d: %d columns, header has %d" % (
                            os.path.basename(path), i, len(row), len(hdr or []))
    except UnicodeDecodeError as e:
        return "%s: not UTF-8: %s" % (os.path.basename(path), e)
    return None


def main(args):
    bad = 0
    if args and args[0] == "--dirs":
        for d in args[1:]:
            for name in sorted(os.listdir(d)):
                p = problem(os.path.join(d, name))
                if p:
                    print("%s: %s" % (d, p))
                    bad += 1
                    break
    else:
        for path in args:
            p = problem(path)
            if p:
                print(p)
                bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
