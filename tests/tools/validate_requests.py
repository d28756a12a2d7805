#!/usr/bin/env python3
"""Validate captured AWS JSON 1.1 request bodies against botocore's service models.

Reads a JSON array of {"service": "ecs"|"ecr", "operation": "DescribeServices", "body": "<json text>"}
(from a file argument or stdin) and checks each body with botocore's own ParamValidator against
the operation's input shape, read from the installed botocore package at run time: no unknown
members, required members present, types and ranges right. Prints one line per request and exits
1 when any request is invalid or names an operation the model does not have.
"""
import json
import sys

import botocore
import botocore.session
from botocore.validate import ParamValidator


def main() -> int:
    source = open(sys.argv[1], encoding="utf-8") if len(sys.argv) > 1 else sys.stdin
    captured = json.load(source)
    session = botocore.session.get_session()
    validator = ParamValidator()
    models = {}
    failures = 0
    for request in captured:
        service, operation = request["service"], request["operation"]
        if service not in models:
            models[service] = session.get_service_model(service)
        model = models[service]
        if operation not in model.operation_names:
            print(f"INVALID {service}.{operation}: no such operation in botocore {botocore.__version__}")
            failures += 1
            continue
        params = json.loads(request["body"] or "{}")
        if not isinstance(params, dict):
            print(f"INVALID {service}.{operation}: the body is not a JSON object")
            failures += 1
            continue
        report = validator.validate(params, model.operation_model(operation).input_shape)
        if report.has_errors():
            failures += 1
            print(f"INVALID {service}.{operation}: {report.generate_report()}")
        else:
            print(f"ok {service}.{operation} {sorted(params)}")
    print(f"{len(captured)} requests checked against botocore {botocore.__version__}, {failures} invalid")
    return 1 if failures or not captured else 0


if __name__ == "__main__":
    sys.exit(main())
