"""AWS Lambda entry point: set the function's handler to lambda_function.lambda_handler."""

import logging

from skill.alexa.build import handle_event

logging.getLogger().setLevel(logging.INFO)


def lambda_handler(event, context):
    return handle_event(event, context)
