"""A first end-to-end check of the console path: report a Ngày hội and see it in /cuatoi."""


async def test_reporter_reports_a_festival_and_lists_it(reporter):
    answers = await reporter.say("bao cao")
    assert "Ngày hội Đại đoàn kết" in answers[0]
    for text in ("1", "hôm qua", "Nhà văn hóa thôn", "120 người", "có", "bỏ qua", "bỏ qua", "bỏ qua"):
        await reporter.say(text)
    receipt = await reporter.say("1")
    assert "Đã ghi báo cáo số 1" in receipt[0]
    listing = await reporter.say("/cuatoi")
    assert "24/11/2026" in listing[0]
