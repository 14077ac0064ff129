"""Domain errors carry a complete Chinese message for the user and, when known, the form field it is about."""


class DomainError(Exception):
    """A rule of the domain refused the operation; nothing was changed."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        """`message` names the field in words ("完成时限必须晚于今天"); `field` is the form field's *name*
        ("deadline"), so `wuye.common.forms.form_add_domain_error` can put the message beside it."""
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class InvalidTransition(DomainError):
    """A state change that the state machine does not allow from the current state."""


class NotAllowed(DomainError):
    """The actor's role may not do this."""
