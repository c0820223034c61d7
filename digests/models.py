"""Digest snapshots: what a digest, briefing or summary said, when, and to whom.

A snapshot is computed once and stored; its emails (one ledger row per recipient) are built
from it on the first attempt and on every retry, and the next snapshot for the same plan and
board is compared with its ``state`` to say what changed.
"""

from django.db import models

from actions.models import Board, BoardAudience, Plan


class DigestSnapshot(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="digest_snapshots")
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="digest_snapshots")
    audience = models.CharField(max_length=30, choices=BoardAudience.choices)
    period = models.CharField(
        max_length=20, help_text='The board\'s cadence period, such as "2026-W48" or "2026-11".'
    )
    as_of = models.DateField(help_text="The London date the figures are judged against.")
    created_at = models.DateTimeField()
    # When the sweep put its emails in the ledger; empty for one built on demand and not sent.
    queued_at = models.DateTimeField(null=True, blank=True)
    content = models.JSONField(default=dict, help_text="Everything the email says.")
    state = models.JSONField(
        default=dict, help_text="Each action's and milestone's state, compared next time."
    )
    recipients = models.JSONField(
        default=list, blank=True, help_text="Who it was sent to: ids and addresses."
    )
    spreadsheet = models.BinaryField(blank=True, default=b"", editable=False)

    class Meta:
        ordering = ["-as_of", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "board", "period"], name="one_digest_per_board_and_period"
            ),
        ]
        indexes = [models.Index(fields=["plan", "board", "as_of"])]

    def __str__(self) -> str:
        return f"{self.get_audience_display()} digest of {self.plan} for {self.period}"
