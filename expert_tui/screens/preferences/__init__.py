"""Preferences: which tasks reach the partner, how the partner stands, and the person's own
settings. The screen, its form's values, its widgets, the standing and the leave question
live in modules of their own; these are the names the app and the tests use."""

from .fields import Field, ServiceRow, Toggle
from .form import FormValues, ServiceValues, field_words, price_value, values_of
from .leave import LeaveDialog
from .screen import PreferencesScreen

__all__ = [
    "Field",
    "FormValues",
    "LeaveDialog",
    "PreferencesScreen",
    "ServiceRow",
    "ServiceValues",
    "Toggle",
    "field_words",
    "price_value",
    "values_of",
]
