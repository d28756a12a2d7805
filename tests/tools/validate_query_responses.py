#!/usr/bin/env python3
"""Call a query-protocol service (Auto Scaling, ELBv2) with a real botocore client and validate
each raw XML answer strictly against the operation's output shape.

Reads a JSON object from stdin:
  {"endpoint": "http://127.0.0.1:1234", "region": "us-east-1", "accessKeyId": "...",
   "secretAccessKey": "...", "calls": [{"service": "elbv2", "operation": "DescribeTargetHealth",
   "params": {...}}]}
and prints {"results": [{"errors": [...], "parsed": {...}}]}: for each call, every element the
output shape does not have (unknown or mis-cased), every value of the wrong type or outside its
enum, and what botocore parsed (which, unlike this check, ignores unknown elements).
"""
import json
import sys
import xml.etree.ElementTree as ET

import botocore.session


def local(tag):
    return tag.rsplit("}", 1)[-1]


def check(element, shape, path, errors):
    kind = shape.type_name
    children = list(element)
    if kind == "structure":
        members = {m.serialization.get("name", name): m for name, m in shape.members.items()}
        for child in children:
            name = local(child.tag)
            if name not in members:
                errors.append(f"{path}/{name}: no such member (members: {', '.join(members)})")
                continue
            check(child, members[name], f"{path}/{name}", errors)
    elif kind == "list":
        for i, child in enumerate(children):
            if local(child.tag) != shape.member.serialization.get("name", "member"):
                errors.append(f"{path}/{local(child.tag)}: a list item must be <member>")
            check(child, shape.member, f"{path}[{i}]", errors)
    elif kind == "map":
        for child in children:
            if local(child.tag) != "entry":
                errors.append(f"{path}/{local(child.tag)}: a map item must be <entry>")
    else:
        if children:
            errors.append(f"{path}: a {kind} has no child elements")
        text = element.text or ""
        if kind == "string" and shape.enum and text not in shape.enum:
            errors.append(f"{path}: {text!r} is not one of {shape.enum}")
        elif kind in ("integer", "long"):
            try:
                int(text)
            except ValueError:
                errors.append(f"{path}: {text!r} is not an integer")
        elif kind == "boolean" and text not in ("true", "false"):
            errors.append(f"{path}: {text!r} is not a boolean")


def main():
    request = json.load(sys.stdin)
    session = botocore.session.get_session()
    results = []
    clients = {}
    for call in request["calls"]:
        service = call["service"]
        if service not in clients:
            clients[service] = session.create_client(
                service, region_name=request["region"], endpoint_url=request["endpoint"],
                aws_access_key_id=request["accessKeyId"], aws_secret_access_key=request["secretAccessKey"])
        client = clients[service]
        captured = {}

        def keep(response_dict=None, **kwargs):
            captured["body"] = response_dict["body"]

        client.meta.events.register("before-parse", keep)
        name = next(python for python, api in client.meta.method_to_api_mapping.items() if api == call["operation"])
        errors = []
        try:
            parsed = getattr(client, name)(**call.get("params", {}))
            parsed.pop("ResponseMetadata", None)
        except Exception as e:  # an error answer is a result too
            parsed = {"Error": str(e)}
        client.meta.events.unregister("before-parse", keep)
        model = client.meta.service_model.operation_model(call["operation"])
        root = ET.fromstring(captured["body"])
        if local(root.tag) != call["operation"] + "Response":
            errors.append(f"root element {local(root.tag)}, not {call['operation']}Response")
        for child in root:
            name = local(child.tag)
            if name == "ResponseMetadata":
                continue
            if name != model.output_shape.serialization.get("resultWrapper"):
                errors.append(f"/{name}: not the result wrapper")
                continue
            check(child, model.output_shape, "/" + name, errors)
        results.append({"errors": errors, "parsed": parsed})
    json.dump({"results": results}, sys.stdout, default=str)


main()
