"""The floor with a store: the smallest ask-sdk-core skill that reads the person's
record on every request, then says a short sentence.

Built the way Amazon's own samples (and the Alexa-hosted template) build a skill
on DynamoDB: ``DynamoDbAdapter(table_name=..., create_table=False,
dynamodb_resource=boto3.resource("dynamodb"))`` handed to ``CustomSkillBuilder``,
exposed as ``sb.lambda_handler()``. Importing ``ask_sdk_dynamodb.adapter`` builds a
boto3 resource of its own (the default of ``dynamodb_resource``), as it does for
every skill that uses it. ``FLOOR_TABLE`` names the table.

For the warm launch rows, ``floor_skill(adapter)`` builds the same floor around any
adapter (the skill's SQLite one, or the DynamoDB one the skill builds).
"""

import os

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.skill_builder import CustomSkillBuilder


class ReadRecordAndSayHello(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return True

    def handle(self, handler_input):
        handler_input.attributes_manager.persistent_attributes  # noqa: B018 - the read is the point
        return handler_input.response_builder.speak("Hello.").response


def floor_skill(adapter):
    sb = CustomSkillBuilder(persistence_adapter=adapter)
    sb.add_request_handler(ReadRecordAndSayHello())
    return sb.lambda_handler()


if os.environ.get("FLOOR_TABLE"):
    import boto3
    from ask_sdk_dynamodb.adapter import DynamoDbAdapter

    lambda_handler = floor_skill(DynamoDbAdapter(table_name=os.environ["FLOOR_TABLE"], create_table=False,
                                                 dynamodb_resource=boto3.resource("dynamodb")))
