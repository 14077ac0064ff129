"""Voting's jobs (procrastinate autodiscovers `tasks.py`; started with wuye.common.jobs.defer)."""

import logging

from wuye.accounts.sms import sms_send
from wuye.common.jobs import app, once
from wuye.kernel.conf import county_setting

from .models import Ballot

logger = logging.getLogger("wuye.voting")


# no retry: the receipt is also on the owner's page; a gateway error is logged, never raised into the vote
@app.task(name="voting.ballot_receipt")
def ballot_receipt_job(*, ballot_id: int) -> bool:
    """SMS the owner the receipt of an online ballot, once (claimed by ballot before sending)."""
    ballot = Ballot.objects.select_related("assembly", "voter_owner").filter(pk=ballot_id).first()
    phone = ballot.voter_owner.phone if ballot is not None and ballot.voter_owner is not None else ""
    if ballot is None or not phone or not once(f"ballot-receipt:{ballot_id}"):
        return False
    text = (
        f"【{county_setting('BUREAU_NAME')}】您已参加“{ballot.assembly.title}”投票，回执码 {ballot.receipt}。"
        f"结果公示时可凭回执码核对您的选票已被计入。"
    )
    try:
        sms_send(phone, text)
    except Exception:
        logger.exception("sms gateway failed for the receipt of ballot %s", ballot_id)
        return False
    return True
