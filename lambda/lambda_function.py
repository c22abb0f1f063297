"""AWS Lambda entry point: set the function's handler to lambda_function.lambda_handler.

Set ALEXA_SKILL_ID in the function's environment: a request for any other skill
then fails (ForeignSkill) and nothing is said, whatever the trigger lets through.
"""

import logging

from skill.alexa.build import handle_event
from skill.alexa.skill_ids import refuse_foreign, skill_ids_from_environment

logging.getLogger().setLevel(logging.INFO)

SKILL_IDS = skill_ids_from_environment()
if not SKILL_IDS:
    logging.getLogger(__name__).warning(
        "ALEXA_SKILL_ID is not set: only the Lambda trigger's skill ID verification "
        "keeps other skills out")


def lambda_handler(event, context):
    refuse_foreign(event, SKILL_IDS)
    return handle_event(event, context)
