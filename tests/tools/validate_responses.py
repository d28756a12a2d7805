#!/usr/bin/env python3
"""Validate AWS JSON 1.1 response bodies strictly against botocore's output shapes.

Reads a JSON array of {"service": "logs", "operation": "FilterLogEvents", "body": "<json text>"}
(from a file argument) and walks each body against the operation's output shape from the
installed botocore: a member the shape does not have (unknown or mis-cased), a value of the wrong
type, or a string outside its enum is an error. botocore itself ignores unknown members when it
parses, so this is stricter than the CLI. Exits 1 when any body is invalid.
"""
import json
import sys

import botocore
import botocore.session


def check(value, shape, path, errors):
    kind = shape.type_name
    if getattr(shape, "is_document_type", False):
        return  # a document: any JSON value
    if kind == "structure":
        if not isinstance(value, dict):
            errors.append(f"{path}: expected an object, got {type(value).__name__}")
            return
        members = shape.members
        for key, item in value.items():
            if key not in members:
                errors.append(f"{path}.{key}: no such member (members: {', '.join(members)})")
                continue
            check(item, members[key], f"{path}.{key}", errors)
    elif kind == "list":
        if not isinstance(value, list):
            errors.append(f"{path}: expected a list")
            return
        for i, item in enumerate(value):
            check(item, shape.member, f"{path}[{i}]", errors)
    elif kind == "map":
        if not isinstance(value, dict):
            errors.append(f"{path}: expected a map")
            return
        for key, item in value.items():
            check(item, shape.value, f"{path}[{key}]", errors)
    elif kind == "string":
        if not isinstance(value, str):
            errors.append(f"{path}: expected a string, got {value!r}")
        elif shape.enum and value not in shape.enum:
            errors.append(f"{path}: {value!r} is not one of {shape.enum}")
    elif kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            errors.append(f"{path}: expected an integer, got {value!r}")
    elif kind in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            errors.append(f"{path}: expected a number, got {value!r}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            errors.append(f"{path}: expected a boolean, got {value!r}")
    elif kind == "timestamp":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            errors.append(f"{path}: expected epoch seconds, got {value!r}")


def main() -> int:
    captured = json.load(open(sys.argv[1], encoding="utf-8"))
    session = botocore.session.get_session()
    failures = 0
    for response in captured:
        service, operation = response["service"], response["operation"]
        model = session.get_service_model(service)
        errors = []
        check(json.loads(response["body"] or "{}"), model.operation_model(operation).output_shape, operation, errors)
        if errors:
            failures += 1
            print(f"INVALID {service}.{operation}: " + "; ".join(errors))
        else:
            print(f"ok {service}.{operation}")
    print(f"{len(captured)} responses checked against botocore {botocore.__version__}, {failures} invalid")
    return 1 if failures or not captured else 0


if __name__ == "__main__":
    sys.exit(main())
