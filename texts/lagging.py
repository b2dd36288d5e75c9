"""User-facing strings of the lagging rule, its page and "what it takes" (see texts/__init__.py),
and the display of a change in rank (``fmt_rank_change``: ▲2, ▼1, –)."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    "col.rank_prev": "Xếp hạng kỳ trước",
    "col.rank_change": "Thay đổi thứ hạng",
    # the lagging rule's criteria, one sentence each with the numbers (scorecard/lagging.py)
    "lag.below_grade": (
        "Tổng điểm {total}, xếp loại {grade}: dưới ngưỡng xếp loại {threshold} ({floor} điểm)."
    ),
    "lag.bottom": "Đứng thứ {rank}/{count} trong {plural}, thuộc nhóm {n} đơn vị xếp cuối.",
    "lag.falling_points": "Tổng điểm giảm {drop} điểm trong tuần, từ {before} xuống {now}.",
    "lag.falling_ranks": "Tụt {n} bậc trong tuần, từ hạng {before} xuống hạng {now}.",
    "lag.backlog": (
        "Hồ sơ quá hạn chưa giải quyết tăng từ {before} lên {now} hồ sơ so với tuần trước "
        "(thêm {up} hồ sơ, {pct})."
    ),
    "lag.backlog_new": "tuần trước không có hồ sơ nào",
    "lag.backlog_pct": "tăng {pct}",
    # the rule in force, said on the page (scorecard.lagging.describe)
    "lag.rule.below_grade": "tổng điểm dưới ngưỡng xếp loại {grade}",
    "lag.rule.bottom": "thuộc nhóm {n} đơn vị xếp cuối",
    "lag.rule.falling": "{what} trong tuần",
    "lag.rule.fall_points": "tổng điểm giảm từ {points} điểm",
    "lag.rule.fall_ranks": "tụt từ {ranks} bậc",
    "lag.rule.or": " hoặc ",
    "lag.rule.and": " và ",
    "lag.rule.min_weeks": "(từ tuần thứ {weeks} của năm)",
    "lag.rule.backlog": "hồ sơ quá hạn chưa giải quyết {what} so với tuần trước",
    "lag.rule.backlog_pct": "tăng từ {pct}%",
    "lag.rule.backlog_n": "từ {n} hồ sơ",
    "lag.rule.exempt_first": "(trừ đơn vị xếp thứ nhất, nếu chỉ vì tiêu chí này)",
    "lag.rule.exempt": "(trừ {k} đơn vị xếp đầu, nếu chỉ vì tiêu chí này)",
    # the lagging page (ui/lagging_view.py, pages/lagging.py)
    "ui.lagging.level_title": "{level}: {n} đơn vị chậm tiến độ",
    "ui.lagging.none_level": "Không có đơn vị {level} nào chậm tiến độ trong tuần đã chọn.",
    "ui.lagging.rule_title": "Cách xác định đơn vị chậm tiến độ",
    "ui.lagging.rule": "{level}: đơn vị được nêu khi {criteria}.",
    "ui.lagging.points": "{total} điểm",
    "ui.lagging.rank": "hạng {rank}/{count}",
    "ui.lagging.why": "Tiêu chí mất nhiều điểm nhất và điều kiện để đạt điểm tối đa:",
    "ui.lagging.no_loss": "Không tiêu chí nào bị mất điểm.",
    "ui.lagging.procedures": "Thủ tục có nhiều hồ sơ quá hạn:",
    "ui.lagging.col.component": "Tiêu chí",
    "ui.lagging.col.lost": "Điểm mất",
    "ui.lagging.col.ratio": "Hiện đạt",
    "ui.lagging.col.need": "Cần đạt",
    "ui.lagging.col.more": "Còn thiếu",
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
