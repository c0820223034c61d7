"""Digest emails, built from a stored snapshot only: the first attempt and a retry are the same.

Templates (``templates/emails/<kind>-subject.txt``, ``-body.txt``, ``-body.html``) render
through ``notifications.emails.make_message``. The board's digest adds a RAG-mix chart as an
inline PNG (a ``multipart/related`` part beside the HTML, with alt text and the same figures
in a table and in the text part) and the full action list as an XLSX attachment.
"""

import re
from email.mime.base import MIMEBase
from email.mime.image import MIMEImage
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEMultipart
from django.urls import reverse

from actions.models import BoardAudience
from digests.chart import SERIES, chart_alt_text, rag_chart_png
from digests.models import DigestSnapshot
from notifications.emails import make_message
from notifications.links import absolute
from notifications.models import Notification

TEMPLATE_OF_AUDIENCE: dict[str, str] = {
    BoardAudience.EXECUTIVE: "digest",
    BoardAudience.LEAD_MEMBER: "briefing",
    BoardAudience.PARENT_CARER_FORUM: "summary",
}
CADENCE_WORDS = {"weekly": "Weekly", "fortnightly": "Fortnightly", "monthly": "Monthly"}
CHART_CID = "rag-chart"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class MessageWithInlineImages(EmailMultiAlternatives):
    """An email whose HTML part sits in ``multipart/related`` with the images it shows."""

    def __init__(self, *args: Any, inline: list[MIMEBase] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.inline = inline or []

    def _create_alternatives(self, msg: Any) -> Any:
        msg = super()._create_alternatives(msg)  # type: ignore[misc]  # Django's own step
        if not self.inline or not self.alternatives:
            return msg
        parts = msg.get_payload()
        related = SafeMIMEMultipart(
            _subtype="related", encoding=self.encoding or settings.DEFAULT_CHARSET
        )
        related.attach(parts[-1])
        for image in self.inline:
            related.attach(image)
        parts[-1] = related
        return msg


def snapshot_id_of(notification: Notification) -> int | None:
    prefix, _, number = notification.subject_key.partition(":")
    return int(number) if prefix == "snapshot" and number.isdigit() else None


def build_snapshot_message(
    notification: Notification, headers: dict[str, str]
) -> EmailMultiAlternatives | None:
    """The email of a digest, briefing or summary ledger row; None if its snapshot is gone."""
    snapshot_id = snapshot_id_of(notification)
    snapshot = (
        DigestSnapshot.objects.filter(pk=snapshot_id).first() if snapshot_id is not None else None
    )
    if snapshot is None:
        return None
    return snapshot_message(
        snapshot,
        to=notification.to_email or notification.recipient.email,
        headers=headers,
        online=True,
    )


def chart_table(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**point, "total": sum(point[key] for key, _ in SERIES)} for point in points]


def snapshot_message(
    snapshot: DigestSnapshot,
    *,
    to: str,
    headers: dict[str, str] | None = None,
    online: bool = False,
) -> EmailMultiAlternatives:
    """The email of a snapshot. ``online``: with a link to the snapshot's workspace page, as
    sent to board members; a preview built on demand (perhaps a dry run, never stored) has no
    page to link to."""
    content = snapshot.content
    name = TEMPLATE_OF_AUDIENCE.get(snapshot.audience, "digest")
    points = content.get("chart", [])
    context = {
        **content,
        "chart_rows": chart_table(points),
        "chart_alt": chart_alt_text(points),
        "chart_cid": CHART_CID,
        "with_chart": name == "digest",
        "cadence_word": CADENCE_WORDS.get(content.get("cadence", ""), "Weekly"),
        "site_url": absolute("/"),
        "online_url": absolute(reverse("workspace:digest", args=[snapshot.pk]))
        if online and snapshot.pk
        else "",
    }
    built = make_message(name, to, context, headers)
    # The text templates leave blank lines where sections are empty: one is enough.
    built.body = re.sub(r"\n{3,}", "\n\n", str(built.body))
    inline: list[MIMEBase] = []
    if name == "digest":
        image = MIMEImage(rag_chart_png(points), "png")
        image.add_header("Content-ID", f"<{CHART_CID}>")
        image.add_header("Content-Disposition", "inline", filename="rag-chart.png")
        inline.append(image)
    message = MessageWithInlineImages(
        subject=built.subject,
        body=built.body,
        from_email=built.from_email,
        to=built.to,
        headers=built.extra_headers,
        alternatives=built.alternatives,
        inline=inline,
    )
    spreadsheet = bytes(snapshot.spreadsheet or b"")
    if spreadsheet:
        message.attach(
            f"{content['plan']['slug']}-actions-{snapshot.period}.xlsx", spreadsheet, XLSX
        )
    return message


def snapshot_files(snapshot: DigestSnapshot, message: EmailMultiAlternatives) -> list[str]:
    """The email as HTML, text and .eml files under ``settings.DIGESTS_DIR``, to be read
    without a mail program; the paths written, relative to the working folder if inside it."""
    folder = Path(settings.DIGESTS_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{snapshot.plan.slug}-{snapshot.period}-{snapshot.audience}"
    html = next((c for c, mimetype in message.alternatives if mimetype == "text/html"), "")
    files = {
        folder / f"{stem}.html": str(html).encode(),
        folder / f"{stem}.txt": str(message.body).encode(),
        folder / f"{stem}.eml": message.message().as_bytes(),
    }
    for path, data in files.items():
        path.write_bytes(data)
    return [_shown(path) for path in files]


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
