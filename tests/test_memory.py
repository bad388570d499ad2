"""The server's memory: glibc's malloc arenas are capped before worker threads start."""

import platform

import pytest

from app.config import Settings
from app.memory import limit_malloc_arenas


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                    reason="malloc arenas are glibc's")
def test_malloc_arenas_are_capped_on_glibc() -> None:
    assert Settings().malloc_arenas == 2
    assert limit_malloc_arenas(2) is True
    assert limit_malloc_arenas(0) is False  # 0 leaves the allocator as it is
