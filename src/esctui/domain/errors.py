"""The one error the domain raises: a refusal a responder can read."""


class DomainError(Exception):
    """A command was refused. `str(error)` is one sentence for the responder."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
