"""The workspace's forms: they check what was typed and say what is wrong in plain English;
the rules themselves are the services' (``actions.services``)."""

from accounts.forms import SignInForm


class WorkspaceSignInForm(SignInForm):
    error_messages = {
        **SignInForm.error_messages,
        "invalid_login": (
            "Enter the email address and password of an active account: one or both are wrong."
        ),
        "inactive": "This account is switched off. Ask your plan administrator.",
    }
