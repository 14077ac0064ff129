"""What the voting module decided, read from an assembly's frozen result (assets never recounts a vote)."""

from wuye.voting.models import RESULT_STATES, Motion

# art. 278 item 4 covers hiring and dismissal alike; a motion of item 4 whose title says 解聘 dismisses the company
DISMISSAL_ITEM = 4
DISMISSAL_WORD = "解聘"
FUND_USE_ITEM = 5


def motion_passed(motion: Motion) -> bool:
    """The motion's assembly has closed and its frozen tally says the motion passed."""
    assembly = motion.assembly
    if assembly.status not in RESULT_STATES or not assembly.result:
        return False
    for row in assembly.result.get("motions", []):
        if row.get("id") == motion.code:
            return bool(row.get("passed"))
    return False


def is_dismissal(motion: Motion) -> bool:
    return motion.item == DISMISSAL_ITEM and DISMISSAL_WORD in motion.title
