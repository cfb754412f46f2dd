from crawler.challenge import challenge_reason

RUISHU = (
    b'<html><head><meta http-equiv="Content-Type"></head><script type="text/javascript">$_ts=window["$_ts"];</script>'
)


def test_js_challenges_are_recognised_by_status_and_script() -> None:
    codes = {412, 521}
    assert "Ruishu" in (challenge_reason(412, RUISHU, codes) or "")
    assert "Jiasule" in (challenge_reason(521, b"<script>document.cookie=...</script>", codes) or "")


def test_plain_errors_are_not_challenges() -> None:
    codes = {412, 521}
    assert challenge_reason(412, b"Precondition Failed", codes) is None
    assert challenge_reason(200, RUISHU, codes) is None
    assert challenge_reason(500, RUISHU, codes) is None
