"""A first end-to-end check of the console path: report a Ngày hội and see it in /cuatoi."""

from support.report_menu import NGAY_HOI_GROUP


async def test_reporter_reports_a_festival_and_lists_it(reporter):
    answers = await reporter.say("bao cao")
    assert NGAY_HOI_GROUP in answers[0]  # the menu's groups first (issue 15.7)
    for text in ("1", "1", "hôm qua", "Nhà văn hóa thôn", "120 người", "có", "bỏ qua", "bỏ qua", "bỏ qua"):
        await reporter.say(text)
    receipt = await reporter.say("1")
    assert "Đã ghi báo cáo số 1" in receipt[0]
    listing = await reporter.say("/cuatoi")
    assert "1. 24/11 Ngày hội Đại đoàn kết… (số 1)" in listing[0]
