"""Command line: ``python -m data_access init | demo | import FILE... | refresh | check | role |
sql NAME``.

An entry point above the layers: import, demo and refresh run through ``scorecard.pipeline``
(load, aggregates and the score snapshot in one transaction)."""

from __future__ import annotations

import argparse
import sys

from data_access.engine import get_engine
from texts import t


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m data_access",
        description="Cơ sở dữ liệu báo cáo CCHC: khởi tạo, dữ liệu mẫu, nhập dữ liệu, tổng hợp, kiểm tra.",
    )
    p.add_argument("--db", help="URL cơ sở dữ liệu (mặc định: REFORM_DB_URL hoặc data/reform.db)")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="Tạo lược đồ và nạp dữ liệu danh mục mặc định")
    demo = sub.add_parser("demo", help="Tạo dữ liệu mẫu (tỉnh Quảng Nam, 2023-2024)")
    demo.add_argument("--scale", type=float, default=1.0, help="Tỉ lệ khối lượng hồ sơ (1.0 = thực tế)")
    demo.add_argument("--seed", type=int, default=766)
    imp = sub.add_parser("import", help="Nhập tệp CSV/XLSX (danh mục TTHC, hồ sơ, PAKN, đơn vị)")
    imp.add_argument("files", nargs="+")
    imp.add_argument(
        "--skip-invalid",
        action="store_true",
        help="Ghi các dòng hợp lệ; các dòng lỗi ghi ra tệp CSV bên cạnh tệp nhập",
    )
    sub.add_parser("refresh", help="Tổng hợp lại số liệu theo tuần")
    sub.add_parser("check", help="Kiểm tra số lượng, thời gian, tỉ lệ và chất lượng dữ liệu")
    _role_parser(sub)
    sql = sub.add_parser("sql", help=t("sql.help"))
    sql.add_argument("name", nargs="?", help=t("sql.help.name"))
    sql.add_argument("--dialect", choices=["sqlite", "postgresql"], default="sqlite",
                     help=t("sql.help.dialect"))  # fmt: skip
    sql.add_argument("--list", action="store_true", help=t("sql.help.list"))
    return p


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


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
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

        generate_demo(engine, scale=args.scale, seed=args.seed, progress=True)
        return 0
    if args.command == "import":
        from scorecard.pipeline import import_files

        return import_files(engine, args.files, skip_invalid=args.skip_invalid, progress=True)
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
