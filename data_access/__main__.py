"""Command line: ``python -m data_access init | demo | import FILE... | remove | refresh | check |
role | sql NAME``.

An entry point above the layers: import, remove, demo and refresh run through
``scorecard.pipeline`` (load, aggregates and the score snapshot in one transaction).

Every failure ends in one Vietnamese line and a non-zero exit code, never a traceback: the
commands report bad input themselves; ``main`` turns what escapes them (a database that cannot
be reached, an interrupted run) into a message.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from data_access.engine import get_engine
from texts import t

EXIT_FAILED, EXIT_INTERRUPTED = 1, 130


def _days(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(t("cli.error.bad_days", value=text))
    return int(text)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(t("cli.error.bad_date", value=text)) from None


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m data_access",
        description="Cơ sở dữ liệu báo cáo CCHC: khởi tạo, dữ liệu mẫu, nhập dữ liệu, tổng hợp, kiểm tra.",
    )
    p.add_argument("--db", help="URL cơ sở dữ liệu (mặc định: REFORM_DB_URL hoặc data/reform.db)")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="Tạo lược đồ và nạp dữ liệu danh mục mặc định")
    demo = sub.add_parser(
        "demo", help="Tạo dữ liệu mẫu (Quảng Nam, rồi thành phố Đà Nẵng từ 01/07/2025; từ tuần 1/2024)"
    )
    demo.add_argument("--scale", type=float, default=1.0, help="Tỉ lệ khối lượng hồ sơ (1.0 = thực tế)")
    demo.add_argument("--seed", type=int, default=766)
    demo.add_argument(
        "--end", type=_date, default=None,
        help="Ngày cuối (YYYY-MM-DD; mặc định: Chủ nhật của tuần trọn vẹn gần nhất)",
    )
    imp = sub.add_parser("import", help="Nhập tệp CSV/XLSX (danh mục TTHC, hồ sơ, PAKN, đơn vị, điểm chính thức) "
                         "hoặc tài liệu JSON điểm chính thức của Cổng DVC quốc gia")
    imp.add_argument("files", nargs="+")
    imp.add_argument(
        "--skip-invalid",
        action="store_true",
        help="Ghi các dòng hợp lệ; các dòng lỗi ghi ra tệp CSV bên cạnh tệp nhập",
    )
    imp.add_argument(
        "--date-horizon-days",
        type=_days,
        default=None,
        help="Ngày tiếp nhận, xử lý, trả kết quả muộn nhất được nhận: ngày nhập + N ngày "
        "(mặc định: REFORM_IMPORT_HORIZON_DAYS hoặc 31)",
    )
    imp.add_argument(
        "--snapshot-date", type=_date, default=None,
        help="Điểm chính thức: ngày lấy số liệu trên Cổng (YYYY-MM-DD) của tài liệu JSON, và của các "
        "dòng CSV/XLSX không có cột NgayLaySoLieu (mặc định cho JSON: ngày lưu tệp)",
    )
    _remove_parser(sub)
    sub.add_parser("refresh", help="Tổng hợp lại số liệu theo tuần")
    sub.add_parser("check", help="Kiểm tra số lượng, thời gian, tỉ lệ và chất lượng dữ liệu")
    _role_parser(sub)
    sql = sub.add_parser("sql", help=t("sql.help"))
    sql.add_argument("name", nargs="?", help=t("sql.help.name"))
    sql.add_argument("--dialect", choices=["sqlite", "postgresql"], default="sqlite",
                     help=t("sql.help.dialect"))  # fmt: skip
    sql.add_argument("--list", action="store_true", help=t("sql.help.list"))
    return p


def _role_parser(sub: argparse._SubParsersAction) -> None:
    role = sub.add_parser("role", help="Phân quyền xem bảng điều hành (theo e-mail đăng nhập)")
    act = role.add_subparsers(dest="action", required=True)
    add = act.add_parser("add", help="Cấp (hoặc đổi) quyền cho một e-mail")
    add.add_argument("email")
    add.add_argument("role", choices=["leader", "office", "unit"])
    add.add_argument("--unit", help="Mã đơn vị (bắt buộc với quyền unit)")
    add.add_argument("--note", help="Ghi chú (chức vụ, đơn vị công tác…)")
    act.add_parser("list", help="Liệt kê các quyền")
    rm = act.add_parser("remove", help="Thu hồi quyền của một e-mail")
    rm.add_argument("email")


def _remove_parser(sub: argparse._SubParsersAction) -> None:
    rm = sub.add_parser("remove", help="Xoá hồ sơ hoặc PAKN đã nhập sai (theo mã hoặc ngày tiếp nhận)")
    rm.add_argument("kind", choices=["dossier", "feedback"])
    rm.add_argument("codes", nargs="*", help="Mã hồ sơ (MaHoSo) hoặc mã PAKN (MaPAKN)")
    rm.add_argument("--received-after", help="Xoá các dòng tiếp nhận SAU ngày này (yyyy-mm-dd)")
    rm.add_argument("--received-before", help="Xoá các dòng tiếp nhận TRƯỚC ngày này (yyyy-mm-dd)")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except KeyboardInterrupt:
        print(t("cli.error.interrupted"), file=sys.stderr)
        return EXIT_INTERRUPTED
    except SQLAlchemyError as e:
        print(t("cli.error.database", url=_shown_url(args.db), error=_first_line(e)), file=sys.stderr)
        return EXIT_FAILED
    except Exception as e:  # noqa: BLE001 - a command line prints a message, never a traceback
        print(t("cli.error.unexpected", command=args.command, error=_first_line(e)), file=sys.stderr)
        return EXIT_FAILED


def _first_line(e: BaseException) -> str:
    """The cause in one line: the driver's message, not SQLAlchemy's statement and parameters."""
    inner = getattr(e, "orig", None) or e
    lines = [x.strip() for x in str(inner).splitlines() if x.strip()]
    return lines[0][:300] if lines else type(inner).__name__


def _shown_url(url: str | None) -> str:
    from data_access.config import database_url

    try:
        return make_url(url or database_url()).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a URL that cannot be parsed is shown as given
        return str(url)


def _sql(name: str | None, dialect: str, listing: bool) -> int:
    """Print a named statement's SQL (or the names); no database is opened."""
    from data_access.queries import registry

    if listing:
        for n in registry.names():
            print(f"{n:<28} {registry.REGISTRY[n].summary}")
        return 0
    if not name:
        print(t("sql.missing"), file=sys.stderr)
        return 2
    if name not in registry.names():
        print(t("sql.unknown", name=name), file=sys.stderr)
        return 2
    print(registry.compiled_sql(name, dialect) + ";")
    return 0


def _run(args: argparse.Namespace) -> int:
    if args.command == "sql":
        return _sql(args.name, args.dialect, args.list)
    engine = get_engine(args.db)
    if args.command == "init":
        from data_access.db import init_db

        init_db(engine)
        print("Đã khởi tạo cơ sở dữ liệu.")
        return 0
    if args.command == "demo":
        from scorecard.pipeline import generate_demo

        generate_demo(engine, scale=args.scale, seed=args.seed, progress=True, end=args.end)
        return 0
    if args.command == "import":
        from data_access.importer import HorizonError
        from scorecard.pipeline import import_files

        try:
            return import_files(engine, args.files, skip_invalid=args.skip_invalid, progress=True,
                                horizon=args.date_horizon_days, snapshot_date=args.snapshot_date)  # fmt: skip
        except HorizonError as e:
            print(e, file=sys.stderr)
            return 2
    if args.command == "remove":
        from scorecard.pipeline import run_remove

        return run_remove(engine, args.kind, args.codes, after=args.received_after,
                          before=args.received_before)  # fmt: skip
    if args.command == "refresh":
        from scorecard.pipeline import refresh

        with engine.begin() as conn:
            rows = refresh(conn)
        print(f"Đã tổng hợp lại: {rows} dòng đơn vị × tuần.")
        return 0
    if args.command == "role":
        from data_access.roles import run_cli

        return run_cli(engine, args.action, email=getattr(args, "email", None),
                       role=getattr(args, "role", None), unit=getattr(args, "unit", None),
                       note=getattr(args, "note", None))  # fmt: skip
    if args.command == "check":
        from data_access.check import run_check

        return run_check(engine)
    return 2


if __name__ == "__main__":
    sys.exit(main())
