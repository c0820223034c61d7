"""The admin site for plan administrators: plans, boards, actions, milestones and measures.

The admin only adapts: a status or RAG change of an action goes through
``actions.services.action_update_status`` (the "Record a progress update" page), never
through the action's change form, and progress updates cannot be changed or deleted here.
Forms validate the models' constraints, so a save that breaks one shows the message beside
the form instead of failing in the database.

Importing the modules registers their admins. A plan's reminder rule and escalation ladder
are edited on its page too; those inlines are the engine's (``notifications.admin``).
"""

from actions.admin import actions, plans, structure

__all__ = ["actions", "plans", "structure"]
