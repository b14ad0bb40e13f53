"""The app's dialogs, one a module, on one base (`base.Dialog`): decline, note, the
one-key questions (confirm, quit), discard, the display name, the inbox's pickers."""

from .base import Dialog
from .decline import DeclineChoice, DeclineDialog
from .discard import DiscardQuestion, leave_unless_kept
from .display_name import DisplayNameQuestion
from .filter_picker import Filter, FilterPicker
from .note import NoteDialog
from .one_key import ConfirmKey, OneKeyQuestion
from .picker import Picker
from .quit import QuitQuestion
from .saved_reply import SavedReplyDialog, SavedReplyText
from .sort_picker import SortPicker

__all__ = [
    "ConfirmKey",
    "DeclineChoice",
    "DeclineDialog",
    "Dialog",
    "DiscardQuestion",
    "DisplayNameQuestion",
    "Filter",
    "FilterPicker",
    "NoteDialog",
    "OneKeyQuestion",
    "Picker",
    "QuitQuestion",
    "SavedReplyDialog",
    "SavedReplyText",
    "SortPicker",
    "leave_unless_kept",
]
