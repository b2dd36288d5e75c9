"""User-facing strings: sign-in, roles and failure handling (see texts/__init__.py).

Keys start with "security." (the ``role`` command line) or "ui.access." / "ui.db." (dashboard).
"""

STRINGS: dict[str, str] = {
    # python -m data_access role ...
    "security.role.bad_email": "«{email}» không phải địa chỉ e-mail hợp lệ.",
    "security.role.bad_role": "Quyền «{role}» không hợp lệ; dùng một trong: {roles}.",
    "security.role.unit_required": "Quyền unit cần mã đơn vị: thêm --unit MÃ (ví dụ --unit STP, "
    "--unit 502).",
    "security.role.unit_not_allowed": "Quyền {role} xem toàn bộ số liệu, không gắn với đơn vị; bỏ "
    "--unit.",
    "security.role.unknown_unit": "Không có đơn vị mã «{unit}» trong danh mục đơn vị.",
    "security.role.added": "Đã cấp quyền {role}{where} cho {email}.",
    "security.role.of_unit": " (đơn vị {unit})",
    "security.role.removed": "Đã thu hồi quyền của {email}.",
    "security.role.not_found": "{email} chưa được cấp quyền nào.",
    "security.role.none": "Chưa cấp quyền cho tài khoản nào.",
    "security.role.db_error": "Lỗi cơ sở dữ liệu ({error}); quyền không thay đổi.",
    # dashboard: who is signed in, what they may see
    "ui.access.demo_banner": "**Chế độ trình diễn**: chưa cấu hình đăng nhập, ai mở trang cũng xem "
    "được toàn bộ số liệu; trước khi dùng thật, cấu hình đăng nhập và phân quyền (SECURITY.md).",
    "ui.access.demo_badge": "Chế độ trình diễn",
    "ui.access.demo_badge_help": "Chưa cấu hình đăng nhập: ai mở trang cũng xem được toàn bộ số liệu.",
    "ui.access.sign_in_title": "Đăng nhập",
    "ui.access.sign_in_prompt": "Bảng điều hành chỉ dành cho lãnh đạo UBND tỉnh, Văn phòng UBND tỉnh "
    "và các đơn vị đã được cấp quyền. Vui lòng đăng nhập bằng tài khoản công vụ.",
    "ui.access.sign_in_button": "Đăng nhập",
    "ui.access.sign_out": "Đăng xuất",
    "ui.access.signed_in_as": "Đăng nhập: {email}",
    "ui.access.role.leader": "Lãnh đạo UBND tỉnh",
    "ui.access.role.office": "Văn phòng UBND tỉnh",
    "ui.access.role.unit": "Tài khoản đơn vị: {unit}",
    "ui.access.no_role": "Tài khoản {email} chưa được cấp quyền xem bảng điều hành. Đề nghị liên hệ "
    "Văn phòng UBND tỉnh để được cấp quyền.",
    "ui.access.unverified_email": "Nhà cung cấp đăng nhập cho biết địa chỉ e-mail {email} chưa được "
    "xác minh nên không thể xác định quyền. Đề nghị xác minh e-mail với nhà cung cấp tài khoản rồi "
    "đăng nhập lại, hoặc liên hệ Văn phòng UBND tỉnh.",
    "ui.access.no_email": "Nhà cung cấp đăng nhập không trả về địa chỉ e-mail nên không xác định được "
    "quyền. Đề nghị liên hệ Văn phòng UBND tỉnh.",
    "ui.access.auth_unavailable": "Đăng nhập đã được cấu hình nhưng máy chủ chưa cài thư viện "
    "Authlib nên chưa đăng nhập được. Đề nghị quản trị hệ thống kiểm tra (SECURITY.md).",
    "ui.access.unit_scope": "Bạn xem chi tiết {unit}; các đơn vị khác chỉ xem bảng xếp hạng và điểm "
    "số.",
    "ui.access.denied_unit": "Tài khoản của bạn không xem được chi tiết đơn vị «{value}»; các đơn vị "
    "khác chỉ xem bảng xếp hạng và điểm số.",
    "ui.access.lagging_scope": "Chi tiết nguyên nhân chậm tiến độ và hồ sơ quá hạn của đơn vị khác "
    "chỉ dành cho lãnh đạo tỉnh và Văn phòng UBND tỉnh; danh sách dưới đây chỉ gồm đơn vị của bạn.",
    "ui.access.lagging_none_own": "Đơn vị của bạn không nằm trong nhóm chậm tiến độ của cấp này.",
    # dashboard: the database went away
    "ui.db.lost": "Mất kết nối tới cơ sở dữ liệu. Số liệu sẽ hiển thị lại ngay khi kết nối được "
    "khôi phục — bấm «Thử lại» hoặc tải lại trang sau ít phút; không cần khởi động lại ứng dụng.",
    "ui.db.retry": "Thử lại",
}
