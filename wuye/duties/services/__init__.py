"""Writes of the duties app: only the company serving an estate enters its records; every write is audited."""

from .imports import SUPPLY_COLUMNS, ImportResult, RowError, supplies_import
from .records import (
    clean_duty_phone,
    disclosure_post,
    fee_change_record,
    grade_clauses,
    parse_clauses,
    renovation_register,
    room_record,
    standard_set,
    violation_act,
    violation_record,
)
from .safety import (
    confined_work_file,
    confined_work_record,
    drill_record,
    fire_check_fix,
    fire_check_record,
    hazard_fix,
    hazard_record,
    plan_record,
    supply_record,
)

__all__ = [
    "SUPPLY_COLUMNS",
    "ImportResult",
    "RowError",
    "clean_duty_phone",
    "confined_work_file",
    "confined_work_record",
    "disclosure_post",
    "drill_record",
    "fee_change_record",
    "fire_check_fix",
    "fire_check_record",
    "grade_clauses",
    "hazard_fix",
    "hazard_record",
    "parse_clauses",
    "plan_record",
    "renovation_register",
    "room_record",
    "standard_set",
    "supplies_import",
    "supply_record",
    "violation_act",
    "violation_record",
]
