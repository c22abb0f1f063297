"""The floor: the smallest ask-sdk-core skill that answers the same envelopes.

One handler that takes every request and says a short sentence, built with
``CustomSkillBuilder`` and exposed exactly as the ASK SDK documents a Lambda
entry point (``lambda_handler = sb.lambda_handler()``). Nothing a real skill
can do costs less through the SDK, so the skill's figures are ratios to this.
"""

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.skill_builder import CustomSkillBuilder


class AnyRequestHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return True

    def handle(self, handler_input):
        return handler_input.response_builder.speak("Hello.").response


sb = CustomSkillBuilder()
sb.add_request_handler(AnyRequestHandler())

lambda_handler = sb.lambda_handler()
