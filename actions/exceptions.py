"""Domain errors that the API turns into HTTP answers (see config.exceptions)."""


class PreconditionFailed(Exception):
    """The caller's copy is stale: someone else changed the row since they read it."""

    def __init__(self, *, current_version: int) -> None:
        self.current_version = current_version
        super().__init__(
            "This item has changed since you loaded it. Reload it, check the latest "
            "details and try again."
        )
