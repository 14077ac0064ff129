"""Writes of the assets app: elevators (`elevators`, `importer`), handover (`handover`), fund use (`fund`),
parking (`parking`)."""

from .elevators import elevator_save, fault_record, maintenance_record, renewal_set
from .fund import fund_use_apply, fund_use_move
from .handover import (
    handover_item_answer,
    handover_item_confirm,
    handover_item_dispute,
    handover_mark_overdue,
    handover_open,
    handover_set_incoming,
)
from .importer import import_elevators
from .parking import ParkingProblem, parking_report, parking_space_save
from .parking_import import import_parking_spaces

__all__ = [
    "elevator_save",
    "fault_record",
    "fund_use_apply",
    "fund_use_move",
    "handover_item_answer",
    "handover_item_confirm",
    "handover_item_dispute",
    "handover_mark_overdue",
    "handover_open",
    "handover_set_incoming",
    "import_elevators",
    "import_parking_spaces",
    "maintenance_record",
    "parking_report",
    "parking_space_save",
    "ParkingProblem",
    "renewal_set",
]
