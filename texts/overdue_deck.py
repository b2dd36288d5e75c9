"""User-facing strings: the overdue list to act on, stale data, week labels, the deck's stale
line, and weekly versus year-to-date scores (see texts/__init__.py)."""

STRINGS: dict[str, str] = {
    # --- ISO weeks as people read them (texts.fmt_week): the app, the deck and the workbook
    "week.long": "Tuần {week}/{year} ({start} – {end})",
    "week.short": "Tuần {week}/{year}",
    "week.inline": "tuần {week}/{year}",
    "cli.period_ytd": "Lũy kế đến hết {week}",
    # --- the overdue list (ui/overdue.py), on the unit and lagging pages
    "ui.overdue.filter": "Hồ sơ",
    "ui.overdue.state.open": "Còn tồn (chưa trả)",
    "ui.overdue.state.late": "Đã trả quá hạn",
    "ui.overdue.state.all": "Tất cả",
    "ui.overdue.filter_help": (
        "Còn tồn: hồ sơ đã quá hạn mà chưa giải quyết xong đến hết ngày cuối kỳ, cần xử lý ngay. "
        "Đã trả quá hạn: hồ sơ đã giải quyết xong trong kỳ nhưng sau hạn."
    ),
    "ui.overdue.counts": (
        "{all} hồ sơ quá hạn trong kỳ: {open} còn tồn đến hết {end}, {late} đã trả quá hạn."
    ),
    "ui.overdue.caption": (
        "Còn tồn: hồ sơ đã quá hạn và chưa giải quyết xong đến hết ngày {end}, kể cả hồ sơ tiếp "
        "nhận trước kỳ; đúng bằng số «hồ sơ quá hạn chưa giải quyết» trong lý do chậm tiến độ. "
        "Đã trả quá hạn: hồ sơ kết thúc xử lý từ {start} đến {end}, sau hạn. Cách đếm như Biểu "
        "II.06a (cột «Trả quá hạn» và «Đang giải quyết – Quá hạn»). Danh sách không chứa thông "
        "tin cá nhân."
    ),
    "ui.overdue.none_in_state.open": "Không có hồ sơ quá hạn còn tồn đến hết ngày {end}.",
    "ui.overdue.none_in_state.late": "Không có hồ sơ nào trả quá hạn từ {start} đến {end}.",
    "ui.overdue.bad_state": "Bộ lọc hồ sơ «{value}» không hợp lệ: đang hiện hồ sơ còn tồn.",
    "ui.overdue.col.end": "Ngày kết thúc xử lý",
    "ui.overdue.scol.received": "Tiếp nhận",
    "ui.overdue.scol.due": "Hạn xử lý",
    "ui.overdue.scol.end": "Kết thúc",
    "ui.overdue.scol.days": "Quá hạn",
    "ui.overdue.scol.state": "Cuối kỳ",
    "ui.overdue.col.state": "Tình trạng cuối kỳ",
    "ui.overdue.col.status_now": "Trạng thái hiện tại",
    "ui.overdue.row.open": "Còn tồn",
    "ui.overdue.row.late": "Đã trả quá hạn",
    # the Excel file: one title row above the header
    "ui.overdue.xlsx_title": (
        "Hồ sơ quá hạn ({state}) – {unit} – {period}, từ {start} đến {end} – lập ngày {today}"
    ),
    "ui.overdue.title_state.open": "còn tồn",
    "ui.overdue.title_state.late": "đã trả quá hạn",
    "ui.overdue.title_state.all": "còn tồn và đã trả quá hạn",
    # --- stale data (ui/freshness.py, every page; the deck's title slide)
    "ui.stale.banner": (
        "Số liệu đã cũ: dữ liệu chỉ đến hết ngày {date}, cách hôm nay {days} ngày (quá {limit} "
        "ngày). Các con số trên trang chưa phản ánh hồ sơ mới; cần nhập số liệu mới."
    ),
    "brief.stale": "Lưu ý: số liệu đã cũ {days} ngày (chỉ đến hết ngày {date}).",
    # --- weekly versus year-to-date (unit page trend, trends page)
    "ui.week_vs_ytd": (
        "Điểm riêng một tuần chỉ tính hồ sơ của tuần đó; điểm lũy kế tính mọi hồ sơ từ "
        "01/01. Vì vậy một đơn vị có các tuần đầu năm kém vẫn có thể đạt điểm tuần gần đây cao "
        "hơn điểm lũy kế của mình."
    ),
}
