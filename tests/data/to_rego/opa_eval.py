#!/usr/bin/env python3
"""Evaluates compiled verdict policies with real OPA, for comparison with verdict.

Usage: opa_eval.py OPA REQUEST.json

OPA is the opa-golib-python-bindings wheel (OPA's Go engine, from PyPI), or the directory
it is unpacked in. REQUEST.json
holds {"modules": {path: text}, "packages": [package], "inputs": {name: document}}.

Prints {package: {input name: {"deny": [...], "pending": [...], "warn": [...],
"allow": [...]} or {"error": "..."}}} as JSON.
"""

import json
import os
import sys
import tempfile
import zipfile

RULES = ("deny", "pending", "warn", "allow")


def load_opa(path):
    if os.path.isfile(path):
        target = tempfile.mkdtemp(prefix="verdict-opa-")
        with zipfile.ZipFile(path) as wheel:
            wheel.extractall(target)
        path = target
    sys.path.insert(0, path)
    import opa_bindings

    return opa_bindings


def main():
    opa = load_opa(sys.argv[1])
    with open(sys.argv[2], encoding="utf-8") as f:
        request = json.load(f)
    engine = opa.OpaEngine()
    engine.print_handler = lambda message, location: None
    for path, text in request["modules"].items():
        engine.add_policy(path, text)
    results = {}
    for package in request["packages"]:
        per_input = results.setdefault(package, {})
        for name, document in request["inputs"].items():
            try:
                value = engine.eval_document(package, document)
            except opa.OpaUndefinedError:
                value = {}
            except opa.OpaError as error:
                per_input[name] = {"error": str(error)}
                continue
            per_input[name] = {rule: sorted(value.get(rule) or []) for rule in RULES}
    json.dump(results, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
