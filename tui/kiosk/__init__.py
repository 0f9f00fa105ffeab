"""The citizen-facing rating kiosk (`motcua kiosk`): a second Textual app on the desk's
database file. `build_kiosk` is its composition root, as build_services is the clerk app's."""
from __future__ import annotations

from dataclasses import dataclass

from core.clock import Clock, HybridClock, SystemClock
from core.ratings import RatingConfig


class KioskSetupError(Exception):
    def __init__(self, message_vi: str):
        super().__init__(message_vi)
        self.message_vi = message_vi


@dataclass
class KioskServices:
    engine: object
    clock: Clock
    config: RatingConfig
    ratings: object                 # db.ratings.RatingsRepo
    accounts: object                # db.accounts.AccountRepo (admin key to quit)
    agency_code: str
    agency_name: str
    desk_number: int


def build_kiosk(settings, clock: Clock | None = None, desk: int | None = None) -> KioskServices:
    from db.accounts import AccountRepo
    from db.engine import make_engine
    from db.meta import last_local_hlc
    from db.migrate import upgrade
    from db.ratings import RatingsRepo

    clock = clock or SystemClock()
    engine = make_engine(settings.resolved_db_url(), busy_timeout_ms=settings.db_busy_timeout_ms)
    upgrade(engine)
    accounts = AccountRepo(engine, clock)
    agency, own = accounts.agency(), accounts.desk()
    if agency is None or own is None:
        raise KioskSetupError("Quầy chưa được cài đặt. Chạy «motcua» trên máy của cán bộ để cài đặt "
                              "lần đầu, rồi mở lại kiosk.")
    number = own.number if desk is None else desk
    if not 1 <= number <= 99:
        raise KioskSetupError("Số quầy (--desk) phải từ 1 đến 99.")
    config = settings.rating_config()
    hlc = HybridClock(clock, f"{agency.code}/{own.number}", last_local_hlc(engine))
    return KioskServices(engine=engine, clock=clock, config=config,
                         ratings=RatingsRepo(engine, clock, hlc, config), accounts=accounts,
                         agency_code=agency.code, agency_name=agency.name, desk_number=number)
