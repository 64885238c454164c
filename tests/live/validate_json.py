"""Validates documents against docs/json-output.schema.json.

Usage: python validate_json.py SCHEMA < documents.jsonl   (one JSON document per line)
Exit status 1, with every error printed, if any document does not validate.
"""

import json
import sys

from jsonschema import Draft202012Validator

schema = json.load(open(sys.argv[1]))
Draft202012Validator.check_schema(schema)
validator = Draft202012Validator(schema)
failed = 0
for number, line in enumerate(sys.stdin, 1):
    document = json.loads(line)
    for error in validator.iter_errors(document):
        failed += 1
        path = "/".join(str(p) for p in error.absolute_path)
        print(f"document {number}: at /{path}: {error.message[:300]}")
print(f"{failed} error(s)")
sys.exit(1 if failed else 0)
