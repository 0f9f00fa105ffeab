"""Claiming a desk number at the centre from setup (`motcua setup`, the first-run screen).

A desk's UUID is made at setup; the centre maps (agency, desk number) -> UUID. Setup asks
the centre when one is configured: a number another desk holds is refused there and then,
before anything is saved; an unreachable centre is not an error -- the first sync claims
the number (and refuses, before pushing anything, if it was taken meanwhile).
"""
from __future__ import annotations

from db.sync.errors import CentralUnavailable, DeskNumberTaken
from db.sync.store import CentralStore

__all__ = ["claim_desk_number", "DeskNumberTaken"]


def claim_desk_number(central_url: str, agency_code: str, desk_number: int, desk_uuid: str, *,
                      timeout: float = 5.0) -> tuple[bool, str]:
    """(registered, Vietnamese line). Raises DeskNumberTaken if another desk holds the number."""
    store = CentralStore(central_url, agency_code=agency_code, desk_number=desk_number,
                         connect_timeout=timeout, net_timeout=max(10.0, 2 * timeout))
    try:
        with store.session(desk_uuid):
            pass
        return True, f"Máy chủ trung tâm đã ghi nhận quầy {desk_number} của cơ quan {agency_code} cho máy này."
    except DeskNumberTaken:
        raise
    except CentralUnavailable as exc:
        return False, (f"Chưa hỏi được máy chủ trung tâm: {exc.message_vi} Số quầy sẽ được đăng ký "
                       f"ở lần đồng bộ đầu tiên.")
    finally:
        store.dispose()
