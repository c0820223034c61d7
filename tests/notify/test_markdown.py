"""An email's text part in Notify's Markdown: headings, bullets, links, and no attachments."""

from django.core.mail import EmailMultiAlternatives

from notifications.markdown import notify_markdown

TEXT = """Dear Amara Okafor,

1 action needs your update.

UPDATES REQUESTED FOR THE NORTHSHIRE SEND EXECUTIVE MEETING ON WEDNESDAY 9 DECEMBER 2026
Please update these actions by the papers deadline.
- Action 1.6: Review annual reviews
  Northshire Local Area SEND Written Statement of Action
  Due Thursday 25 March 2027 (in 83 working days).
  Update it: http://127.0.0.1:8000/update/abc/



Choose which reminders you get: http://127.0.0.1:8000/preferences/xyz/
"""
SUBJECT = "1 action needs your update, for the Northshire SEND Executive meeting"


def test_a_heading_in_capitals_becomes_a_heading_that_keeps_names_dates_and_send() -> None:
    body = notify_markdown(EmailMultiAlternatives(SUBJECT, TEXT, to=["a@example.org"]))

    assert (
        "\n# Updates requested for the Northshire SEND Executive meeting on Wednesday "
        "9 December 2026\n"
    ) in body


def test_items_are_bullets_with_their_details_and_links_under_them() -> None:
    body = notify_markdown(EmailMultiAlternatives(SUBJECT, TEXT, to=["a@example.org"]))

    assert (
        "Please update these actions by the papers deadline.\n\n"
        "* Action 1.6: Review annual reviews\n"
        "  Northshire Local Area SEND Written Statement of Action\n"
        "  Due Thursday 25 March 2027 (in 83 working days).\n"
        "  [Update it](http://127.0.0.1:8000/update/abc/)\n\n"
        "[Choose which reminders you get](http://127.0.0.1:8000/preferences/xyz/)\n"
    ) in body
    assert "\n\n\n" not in body


def test_an_attachment_becomes_where_to_download_it_instead() -> None:
    text = "HEADLINE\n\n3 actions.\n\nThe full action list is attached as a spreadsheet.\n"
    message = EmailMultiAlternatives("Weekly digest", text, to=["a@example.org"])
    message.attach("plan.xlsx", b"PK", "application/octet-stream")

    body = notify_markdown(message)

    assert "attached as a spreadsheet" not in body
    assert body.endswith(
        "^ Files cannot be attached to these emails. Open the plan in the workspace to download "
        "its action list as a spreadsheet: [your plans](http://127.0.0.1:8000/workspace/plans/)\n"
    )


def test_an_attachment_kept_in_the_workspace_becomes_a_link_to_it() -> None:
    text = "HEADLINE\n\nThe full action list is attached as a spreadsheet.\n"
    message = EmailMultiAlternatives("Weekly digest", text, to=["a@example.org"])
    message.attach("plan.xlsx", b"PK", "application/octet-stream")

    body = notify_markdown(
        message, files_url="https://example.org/workspace/digests/7/actions.xlsx"
    )

    assert body.endswith(
        "^ Files cannot be attached to these emails. Download the spreadsheet from the "
        "workspace: [the action list that goes with this email]"
        "(https://example.org/workspace/digests/7/actions.xlsx)\n"
    )
