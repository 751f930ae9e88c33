"""Helpers every app's views share."""

from ipoc.core.errors import ApplicationError


def handle_application_error(form, exc: ApplicationError) -> None:
    """Show a service error on the form field it names (or on the form as a whole)."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)
