#!/usr/bin/env python3
"""botocore's side of the query protocol, for the tests of MightyOps' query client.

Reads a JSON object from stdin and prints one back:

  {"requests": [{"service": "autoscaling", "operation": "SetDesiredCapacity", "params": {...}}]}
      -> {"requests": [{"body": "<form body>", "contentType": "...", "method": "POST", "path": "/"}]}
      Each call is made with a real botocore client (parameters validated against the installed
      model, serialized by its QuerySerializer, prepared as the AWS CLI sends it); the request is
      captured before it would leave the machine, so nothing is sent.

  {"answers": [{"service": "elbv2", "operation": "DescribeTargetHealth", "status": 200, "body": "<xml>"}]}
      -> {"answers": [<what botocore's QueryParser makes of it>]}
      Timestamps as ISO 8601; an error answer (status >= 301) as botocore's Error and ResponseMetadata.

  {"endpoints": [{"service": "autoscaling", "environment": {"AWS_ENDPOINT_URL_AUTO_SCALING": "http://..."}}]}
      -> {"endpoints": ["<the endpoint botocore chose>"]}
"""
import datetime
import json
import os
import sys

import botocore.session
from botocore.parsers import create_parser


class Captured(Exception):
    """Raised from before-send: the request is kept and never sent."""

    def __init__(self, request):
        super().__init__("captured")
        self.request = request


def capture(request, **kwargs):
    raise Captured(request)


def client(session, service, **kwargs):
    return session.create_client(
        service,
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        **kwargs,
    )


def serialize(session, requests):
    clients = {}
    out = []
    for request in requests:
        service = request["service"]
        if service not in clients:
            clients[service] = client(session, service, endpoint_url="http://127.0.0.1:9")
            clients[service].meta.events.register("before-send", capture)
        method = clients[service].meta.method_to_api_mapping
        name = next(python for python, api in method.items() if api == request["operation"])
        try:
            getattr(clients[service], name)(**request["params"])
            raise SystemExit(f"{request['operation']} was not captured")
        except Captured as sent:
            body = sent.request.body
            out.append({
                "body": body.decode("utf-8") if isinstance(body, bytes) else body,
                "contentType": sent.request.headers.get("Content-Type").decode() if isinstance(sent.request.headers.get("Content-Type"), bytes) else sent.request.headers.get("Content-Type"),
                "method": sent.request.method,
                "path": sent.request.url.split("127.0.0.1:9", 1)[1],
            })
    return out


def plain(value):
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8")
    raise TypeError(type(value))


def parse(session, answers):
    parser = create_parser("query")
    out = []
    for answer in answers:
        model = session.get_service_model(answer["service"]).operation_model(answer["operation"])
        parsed = parser.parse(
            {"body": answer["body"].encode("utf-8"), "headers": {}, "status_code": answer["status"]},
            model.output_shape,
        )
        metadata = parsed.get("ResponseMetadata", {})
        parsed["ResponseMetadata"] = {"RequestId": metadata["RequestId"]} if "RequestId" in metadata else {}
        out.append(json.loads(json.dumps(parsed, default=plain)))
    return out


def endpoints(session, asked):
    out = []
    for item in asked:
        saved = dict(os.environ)
        try:
            os.environ.update(item["environment"])
            out.append(client(botocore.session.get_session(), item["service"]).meta.endpoint_url)
        finally:
            os.environ.clear()
            os.environ.update(saved)
    return out


def main() -> int:
    spec = json.load(sys.stdin)
    session = botocore.session.get_session()
    result = {}
    if "requests" in spec:
        result["requests"] = serialize(session, spec["requests"])
    if "answers" in spec:
        result["answers"] = parse(session, spec["answers"])
    if "endpoints" in spec:
        result["endpoints"] = endpoints(session, spec["endpoints"])
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
