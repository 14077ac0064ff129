"""The taxonomy lives in the kernel (`wuye.kernel.taxonomy`); this name stays for triage's model code."""

from wuye.kernel.taxonomy import GROUPS, PLAIN_HINTS, Category, group_of, label_of

__all__ = ["GROUPS", "PLAIN_HINTS", "Category", "group_of", "label_of"]
