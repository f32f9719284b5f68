"""/tonghop for a province viewer: the communes of their province side by side, then the DOCX and XLSX.

The words after /tonghop pick the period as for a commune ("quý 3", "6 tháng", "năm"). The answer at once
says what is being compiled; the numbered text and the two files follow from a render job (a province is up
to a hundred communes: compiled after the commit, never inside the message's transaction).
"""

from __future__ import annotations

from handlers.context import Context
from plan.periods import Period
from summaries import jobs as render_jobs
from summaries.province import province_communes, province_of
from summaries.text_util import period_label


async def start(ctx: Context, period: Period) -> None:
    province = await province_of(ctx.repos, ctx.person.commune_id)
    communes = await province_communes(ctx.repos, province) if province else []
    if not communes:
        ctx.say(ctx.t("summary.no_commune"))
        return
    ctx.say(ctx.t("province.coming", period=period_label(ctx.t, period), province=province, count=len(communes)))
    inbound = ctx.inbound
    await render_jobs.record(ctx.repos, channel=inbound.channel, chat_id=inbound.chat_id,
                             message_id=inbound.message_id, commune_id=ctx.person.commune_id, period=period,
                             party=False, language=ctx.language, now=ctx.now, province=province)
    ctx.after_commit.add(render_jobs.WAKE)
