"""Operating-system errors in Vietnamese: "No such file or directory" never reaches a clerk."""
from __future__ import annotations

import errno

_BY_ERRNO = {
    errno.ENOENT: "không có tệp hoặc thư mục này",
    errno.EACCES: "không có quyền truy cập (kiểm tra quyền của tệp/thư mục)",
    errno.EPERM: "hệ điều hành không cho phép thao tác này",
    errno.EEXIST: "tệp đã có",
    errno.ENOTDIR: "một phần của đường dẫn không phải thư mục",
    errno.EISDIR: "đây là thư mục, không phải tệp",
    errno.ENOSPC: "ổ đĩa đã đầy",
    errno.EROFS: "ổ đĩa chỉ cho đọc",
    errno.ENAMETOOLONG: "đường dẫn quá dài",
    errno.EBUSY: "thiết bị hoặc tệp đang bận",
    errno.ENODEV: "không có thiết bị này",
    errno.ENXIO: "không có thiết bị này",
    errno.EIO: "lỗi đọc/ghi thiết bị",
    errno.ETIMEDOUT: "hết thời gian chờ",
    errno.ECONNREFUSED: "máy bên kia từ chối kết nối",
    errno.EHOSTUNREACH: "không tới được máy bên kia",
    errno.ENETUNREACH: "không có mạng tới máy bên kia",
}


def describe_os_error(exc: OSError) -> str:
    """What went wrong, in Vietnamese, with the path when there is one (never the English)."""
    what = _BY_ERRNO.get(exc.errno or -1, f"lỗi hệ điều hành số {exc.errno}" if exc.errno
                         else "lỗi hệ điều hành")
    path = exc.filename
    return f"{what}: {path}" if path else what
