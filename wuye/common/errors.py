"""Domain errors carry a Chinese message for the user and, when known, the field it is about."""


class DomainError(Exception):
    """A rule of the domain refused the operation; nothing was changed."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}：{self.message}" if self.field else self.message


class InvalidTransition(DomainError):
    """A state change that the state machine does not allow from the current state."""


class NotAllowed(DomainError):
    """The actor's role may not do this."""
