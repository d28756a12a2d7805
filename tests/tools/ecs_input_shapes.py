#!/usr/bin/env python3
"""Print the nested input shapes of the ECS operations the sandbox serves, from botocore's model.

The sandbox embeds this output (src/MightyOps.Sandbox/Ecs/EcsInputShapes.json) to refuse unknown
members anywhere in a request, as botocore's ParamValidator does client side. Arguments: the
operation names. Only structures, lists and maps are listed; a member whose shape is absent is a
scalar or a document (any JSON). A test runs this script and compares its output with the
embedded file, so regenerate with: python3 tests/tools/ecs_input_shapes.py <operations...> > src/MightyOps.Sandbox/Ecs/EcsInputShapes.json
"""
import json
import sys

import botocore.session


def main() -> int:
    model = botocore.session.get_session().get_service_model("ecs")
    shapes = {}
    operations = {}

    def visit(shape):
        # A document (any JSON, such as a lifecycle hook's hookDetails) has no members to check.
        if shape.name in shapes or shape.type_name not in ("structure", "list", "map") or getattr(shape, "is_document_type", False):
            return
        if shape.type_name == "structure":
            shapes[shape.name] = {"members": {name: member.name for name, member in shape.members.items()}}
            for member in shape.members.values():
                visit(member)
        elif shape.type_name == "list":
            shapes[shape.name] = {"list": shape.member.name}
            visit(shape.member)
        else:
            shapes[shape.name] = {"map": shape.value.name}
            visit(shape.value)

    for operation in sorted(sys.argv[1:]):
        shape = model.operation_model(operation).input_shape
        operations[operation] = shape.name
        visit(shape)
    print(json.dumps({"operations": operations, "shapes": dict(sorted(shapes.items()))}, indent=1, sort_keys=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
