"""The nightly stretch reminder, through ask-sdk's ReminderManagementServiceClient.

The conversation (``skill.conversation.bedtime_reminder``) decides what to do and
say; this module only does it: it builds Amazon's reminder request, makes the
call over the skill's one API client, and reads the outcome into one of the
plain results the conversation knows (``Outcome``).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

# ask-sdk-model 1.x names AlertInfo's SpokenInfo by a module that does not exist
# (alert_info_spoken_info), so reading back a reminder fails to deserialize. Point
# that name at the module that holds the class.
from ask_sdk_model.services.reminder_management import spoken_info as _spoken_info

sys.modules.setdefault("ask_sdk_model.services.reminder_management.alert_info_spoken_info", _spoken_info)

from ask_sdk_model.services.reminder_management.alert_info import AlertInfo  # noqa: E402 - after the fix
from ask_sdk_model.services.reminder_management.push_notification import PushNotification  # noqa: E402
from ask_sdk_model.services.reminder_management.push_notification_status import (  # noqa: E402
    PushNotificationStatus,
)
from ask_sdk_model.services.reminder_management.recurrence import Recurrence  # noqa: E402
from ask_sdk_model.services.reminder_management.reminder_request import ReminderRequest  # noqa: E402
from ask_sdk_model.services.reminder_management.spoken_info import SpokenInfo  # noqa: E402
from ask_sdk_model.services.reminder_management.spoken_text import SpokenText  # noqa: E402
from ask_sdk_model.services.reminder_management.trigger import Trigger  # noqa: E402
from ask_sdk_model.services.reminder_management.trigger_type import TriggerType  # noqa: E402
from ask_sdk_model.services.service_exception import ServiceException  # noqa: E402

from skill.alexa.api_client import describe  # noqa: E402
from skill.conversation.bedtime_reminder import READWRITE as READWRITE  # noqa: E402
from skill.conversation.bedtime_reminder import Outcome  # noqa: E402

log = logging.getLogger(__name__)

def utc_now() -> datetime:
    return datetime.now(UTC)


def granted(handler_input: Any) -> bool:
    """The user has granted the reminders permission (as the request says)."""
    user = getattr(getattr(handler_input.request_envelope.context, "system", None), "user", None)
    scopes = getattr(getattr(user, "permissions", None), "scopes", None) or {}
    status = getattr(scopes.get(READWRITE), "status", None)
    return getattr(status, "value", status) == "GRANTED"


def first_time(hour: int, minute: int, zone: str | None, now_utc: datetime) -> datetime:
    """The next time the clock at the device shows hour:minute (local, no offset)."""
    from zoneinfo import ZoneInfo  # only when a reminder is set: not on a launch's cold path

    local_now = now_utc.astimezone(ZoneInfo(zone)) if zone else now_utc
    first = local_now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if first <= local_now:
        first += timedelta(days=1)
    return first.replace(tzinfo=None)


def daily_request(hour: int, minute: int, zone: str | None, locale: str, text: str, *,
                  now_utc: datetime) -> ReminderRequest:
    """Amazon's reminder request: every day at hour:minute, device time, spoken in the locale."""
    first = first_time(hour, minute, zone, now_utc)
    return ReminderRequest(
        request_time=now_utc.replace(tzinfo=None),
        trigger=Trigger(
            object_type=TriggerType.SCHEDULED_ABSOLUTE, scheduled_time=first, time_zone_id=zone,
            recurrence=Recurrence(start_date_time=first, recurrence_rules=[
                f"FREQ=DAILY;BYHOUR={hour};BYMINUTE={minute};BYSECOND=0;INTERVAL=1;"])),
        alert_info=AlertInfo(spoken_info=SpokenInfo(content=[SpokenText(locale=locale, text=text)])),
        push_notification=PushNotification(status=PushNotificationStatus.ENABLED))


def _failure(problem: Exception) -> Outcome:
    """What a failed call means to the user."""
    if not isinstance(problem, ServiceException):
        log.warning("reminder call failed: %s", describe(problem))
        return Outcome("later")
    body = problem.body
    if isinstance(body, str):  # an answer the service client had no model for
        try:
            body = json.loads(body)
        except ValueError:
            body = None
    code = body.get("code") if isinstance(body, dict) else getattr(body, "code", None)
    log.info("reminder call answered %s %s", problem.status_code, code)
    if code == "MAX_REMINDERS_EXCEEDED":
        return Outcome("limit")
    if problem.status_code in (401, 403):
        return Outcome("no_permission")
    if problem.status_code == 400:
        return Outcome("bad_time")
    return Outcome("later")  # 429, 5xx, a timeout, anything else


def _service(handler_input: Any) -> Any:
    return handler_input.service_client_factory.get_reminder_management_service()


def _ours(service: Any) -> list[Any]:
    """This skill's reminders that are still on."""
    alerts = service.get_reminders().alerts or []
    return [alert for alert in alerts if getattr(getattr(alert, "status", None), "value", None) != "COMPLETED"]


def _time_of(reminder: Any) -> tuple[int, int] | None:
    scheduled = getattr(getattr(reminder, "trigger", None), "scheduled_time", None)
    return (scheduled.hour, scheduled.minute) if isinstance(scheduled, datetime) else None


def current(handler_input: Any) -> Outcome:
    """The reminder that is set, if any."""
    try:
        ours = _ours(_service(handler_input))
    except Exception as problem:  # noqa: BLE001 - every failure is answered in words
        return _failure(problem)
    if not ours:
        return Outcome("none")
    return Outcome("set", _time_of(ours[0]))


def set_daily(handler_input: Any, hour: int, minute: int, zone: str | None, locale: str, text: str) -> Outcome:
    """Set the nightly reminder at hour:minute: change the one that is set, or create one."""
    try:
        service = _service(handler_input)
        request = daily_request(hour, minute, zone, locale, text, now_utc=utc_now())
        ours = _ours(service)
        if ours:
            service.update_reminder(ours[0].alert_token, request)
            for extra in ours[1:]:
                service.delete_reminder(extra.alert_token)
            return Outcome("changed", (hour, minute))
        service.create_reminder(request)
    except Exception as problem:  # noqa: BLE001 - every failure is answered in words
        return _failure(problem)
    return Outcome("created", (hour, minute))


def cancel(handler_input: Any) -> Outcome:
    """Delete this skill's reminders."""
    try:
        service = _service(handler_input)
        ours = _ours(service)
        for reminder in ours:
            service.delete_reminder(reminder.alert_token)
    except Exception as problem:  # noqa: BLE001 - every failure is answered in words
        return _failure(problem)
    return Outcome("cancelled" if ours else "none")
