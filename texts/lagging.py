"""User-facing strings of the lagging rule, its page and "what it takes" (see texts/__init__.py),
and the display of a change in rank."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    "col.rank_prev": "Xếp hạng kỳ trước",
    "col.rank_change": "Thay đổi thứ hạng",
    # what it takes to win a component's points back (scorecard/advice.py)
    "advice.full": "Đã đạt điểm tối đa.",
    "advice.no_activity": "Không phát sinh trong kỳ: không có {noun} nào để tính tỷ lệ.",
    "advice.need_more": (
        "Cần đạt tỷ lệ {need} để đạt điểm tối đa (hiện {now}): còn thiếu {more} {noun} đạt yêu "
        "cầu trên tổng số {den} {noun}."
    ),
    "advice.need_ratio": "Cần đạt tỷ lệ {need} để đạt điểm tối đa (hiện {now}).",
    # what a component counts, by the first measure of its denominator
    "advice.noun.default": "trường hợp",
    "advice.noun.dossiers": "hồ sơ",
    "advice.noun.fee_dossiers": "hồ sơ có phí",
    "advice.noun.result_dossiers": "hồ sơ có kết quả",
    "advice.noun.cert_dossiers": "hồ sơ chứng thực",
    "advice.noun.procs": "thủ tục",
    "advice.noun.procs_online": "thủ tục trực tuyến",
    "advice.noun.procs_fee": "thủ tục có phí",
    "advice.noun.feedback": "phản ánh, kiến nghị",
    "advice.noun.ann_total": "quyết định công bố",
    "advice.noun.pub_due": "thủ tục đến hạn công khai",
    "advice.noun.pub_total": "thủ tục công khai",
}


def fmt_rank_change(n: object) -> str:
    """Places gained (``rank_change``) as "▲2", places lost as "▼1"; no change, or no rank to
    compare (NA, None, NaN), as "–"."""
    try:
        if n is None or n != n:  # None or NaN
            return "–"
        v = int(n)  # type: ignore[call-overload]
    except (TypeError, ValueError):  # pandas.NA has no truth value; not a number at all
        return "–"
    if v > 0:
        return f"▲{v}"
    if v < 0:
        return f"▼{-v}"
    return "–"
