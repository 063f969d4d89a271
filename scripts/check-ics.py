#!/usr/bin/env python3
"""Parses an iCalendar invitation with a real parser (the `icalendar` package from PyPI)
and prints what the tests assert on, as JSON.

  scripts/check-ics.py invite.ics     # a calendar object
  scripts/check-ics.py message.eml    # a mail: its text/calendar part (inside
                                      # multipart/alternative) and its invite.ics
                                      # attachment, which must be the same calendar

Exits 2 when the input is malformed (a line over 75 octets, a bare LF, no calendar
part, ...), 3 when the `icalendar` package is missing (scripts/test installs it).
"""
import email
import email.policy
import json
import sys

try:
    import icalendar
except ImportError:
    print("check-ics: the Python package 'icalendar' is missing (python3 -m pip install icalendar)", file=sys.stderr)
    sys.exit(3)


def fail(message):
    print("check-ics: " + message, file=sys.stderr)
    sys.exit(2)


def check_lines(raw):
    if b"\n" in raw.replace(b"\r\n", b""):
        fail("a line ends without CR")
    for line in raw.split(b"\r\n"):
        if len(line) > 75:
            fail("a line is %d octets long (75 at most): %r" % (len(line), line[:80]))
        line.decode("utf-8")  # every folded line is valid UTF-8 on its own


def summary(raw):
    check_lines(raw)
    calendar = icalendar.Calendar.from_ical(raw.decode("utf-8"))
    events = [c for c in calendar.walk() if c.name == "VEVENT"]
    if len(events) != 1:
        fail("expected one VEVENT, found %d" % len(events))
    event = events[0]

    def when(name):
        value = event.decoded(name)
        return {"iso": value.isoformat(), "utc": value.utcoffset() is not None and value.utcoffset().total_seconds() == 0,
                "raw": event[name].to_ical().decode()}

    attendees = event.get("ATTENDEE", [])
    if not isinstance(attendees, list):
        attendees = [attendees]
    return {
        "prodid": str(calendar.get("PRODID")), "version": str(calendar.get("VERSION")), "method": str(calendar.get("METHOD")),
        "uid": str(event.get("UID")), "sequence": int(event.get("SEQUENCE", 0)), "status": str(event.get("STATUS")),
        "summary": str(event.get("SUMMARY")), "location": str(event.get("LOCATION", "")), "description": str(event.get("DESCRIPTION", "")),
        "url": str(event.get("URL", "")), "dtstamp": when("DTSTAMP"), "dtstart": when("DTSTART"), "dtend": when("DTEND"),
        "organizer": str(event.get("ORGANIZER")),
        "attendees": [{"address": str(a), "cn": str(a.params.get("CN", "")), "role": str(a.params.get("ROLE", "")),
                       "partstat": str(a.params.get("PARTSTAT", "")), "rsvp": str(a.params.get("RSVP", ""))} for a in attendees],
    }


def from_mail(raw):
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if message.get_content_type() != "multipart/mixed":
        fail("the mail is %s, not multipart/mixed" % message.get_content_type())
    parts = message.get_payload()
    alternative = parts[0]
    if alternative.get_content_type() != "multipart/alternative":
        fail("the first part is %s, not multipart/alternative" % alternative.get_content_type())
    inner = [p.get_content_type() for p in alternative.get_payload()]
    if inner != ["text/plain", "text/html", "text/calendar"]:
        fail("multipart/alternative holds %s" % inner)
    calendar_part = alternative.get_payload()[2]
    attachments = [p for p in parts[1:] if p.get_filename() == "invite.ics"]
    if len(attachments) != 1 or attachments[0].get_content_type() != "application/ics":
        fail("no invite.ics attachment of type application/ics")
    body = calendar_part.get_payload(decode=True)
    if attachments[0].get_payload(decode=True) != body:
        fail("the attachment differs from the text/calendar part")
    result = summary(body)
    result["content_type_method"] = calendar_part.get_param("method")
    result["charset"] = calendar_part.get_param("charset")
    result["to"] = str(message["To"])
    result["subject"] = str(message["Subject"])
    return result


def main():
    if len(sys.argv) != 2:
        fail("usage: check-ics.py FILE.ics|FILE.eml")
    with open(sys.argv[1], "rb") as f:
        raw = f.read()
    result = from_mail(raw) if sys.argv[1].endswith(".eml") else summary(raw)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
